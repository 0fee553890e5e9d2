/**
 * The `$filter` subset the emulator understands: eq/ne/gt/ge/lt/le, and/or/not, parentheses,
 * startswith/endswith and `any`/`all` lambdas. Semantics follow directory objects
 * (learn.microsoft.com/graph/filter-query-parameter): string comparison ignores case, and a property that is
 * unset is null, so `extension_x eq false` does not match users that never had the attribute.
 */
import { badRequest, EmulatorError, type Json } from './protocol';

type Literal = string | number | boolean | null;
type Comparison = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';

export type FilterExpression =
  | { kind: 'and' | 'or'; left: FilterExpression; right: FilterExpression }
  | { kind: 'not'; operand: FilterExpression }
  | { kind: 'compare'; op: Comparison; path: string[]; value: Literal }
  | { kind: 'call'; name: 'startswith' | 'endswith'; path: string[]; value: string }
  | { kind: 'lambda'; quantifier: 'any' | 'all'; collection: string[]; variable: string; body: FilterExpression };

type Token = { type: 'word' | 'string' | 'number' | 'punct'; text: string; at: number };

function invalidFilter(filter: string, at: number, why: string): EmulatorError {
  return badRequest(`Invalid filter clause: ${why} at position ${at} in '${filter}'.`, 'BadRequest');
}

function tokenize(filter: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < filter.length) {
    const char = filter[i] as string;
    if (/\s/.test(char)) {
      i++;
    } else if (char === "'") {
      let text = '';
      const start = i++;
      for (;;) {
        if (i >= filter.length) throw invalidFilter(filter, start, 'unterminated string literal');
        if (filter[i] === "'") {
          if (filter[i + 1] === "'") {
            text += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        text += filter[i++];
      }
      tokens.push({ type: 'string', text, at: start });
    } else if ('(),:/'.includes(char)) {
      tokens.push({ type: 'punct', text: char, at: i++ });
    } else if (/[-0-9]/.test(char)) {
      const match = /^-?\d+(\.\d+)?/.exec(filter.slice(i));
      if (!match) throw invalidFilter(filter, i, 'syntax error');
      tokens.push({ type: 'number', text: match[0], at: i });
      i += match[0].length;
    } else if (/[A-Za-z_@$]/.test(char)) {
      const match = /^[A-Za-z_@$][\w.@$]*/.exec(filter.slice(i)) as RegExpExecArray;
      tokens.push({ type: 'word', text: match[0], at: i });
      i += match[0].length;
    } else {
      throw invalidFilter(filter, i, `unexpected character '${char}'`);
    }
  }
  return tokens;
}

export function parseFilter(filter: string): FilterExpression {
  const tokens = tokenize(filter);
  let position = 0;
  const peek = (): Token | undefined => tokens[position];
  const atEnd = (): number => tokens[position]?.at ?? filter.length;
  const isWord = (token: Token | undefined, word: string): boolean => token?.type === 'word' && token.text.toLowerCase() === word;
  const expect = (text: string): void => {
    const token = tokens[position];
    if (token?.type !== 'punct' || token.text !== text) throw invalidFilter(filter, atEnd(), `expected '${text}'`);
    position++;
  };

  const parseLiteral = (): Literal => {
    const token = tokens[position++];
    if (!token) throw invalidFilter(filter, filter.length, 'expected a value');
    if (token.type === 'string') return token.text;
    if (token.type === 'number') return Number(token.text);
    if (isWord(token, 'true')) return true;
    if (isWord(token, 'false')) return false;
    if (isWord(token, 'null')) return null;
    throw invalidFilter(filter, token.at, `expected a literal, found '${token.text}'`);
  };

  const parsePath = (): string[] => {
    const first = tokens[position++];
    if (first?.type !== 'word') throw invalidFilter(filter, first?.at ?? filter.length, 'expected a property');
    const path = [first.text];
    while (peek()?.text === '/' && tokens[position + 1]?.type === 'word' && !isLambdaAhead(position + 1)) {
      position++;
      path.push((tokens[position++] as Token).text);
    }
    return path;
  };
  const isLambdaAhead = (index: number): boolean => {
    const word = tokens[index];
    return (isWord(word, 'any') || isWord(word, 'all')) && tokens[index + 1]?.text === '(';
  };

  const parsePrimary = (): FilterExpression => {
    const token = peek();
    if (token?.text === '(') {
      position++;
      const inner = parseOr();
      expect(')');
      return inner;
    }
    if (isWord(token, 'not')) {
      position++;
      return { kind: 'not', operand: parsePrimary() };
    }
    if ((isWord(token, 'startswith') || isWord(token, 'endswith')) && tokens[position + 1]?.text === '(') {
      const name = (token as Token).text.toLowerCase() as 'startswith' | 'endswith';
      position += 2;
      const path = parsePath();
      expect(',');
      const value = parseLiteral();
      if (typeof value !== 'string') throw invalidFilter(filter, atEnd(), `${name} takes a string`);
      expect(')');
      return { kind: 'call', name, path, value };
    }
    const path = parsePath();
    if (peek()?.text === '/' && isLambdaAhead(position + 1)) {
      position++;
      const quantifier = (tokens[position++] as Token).text.toLowerCase() as 'any' | 'all';
      expect('(');
      const variable = tokens[position++];
      if (variable?.type !== 'word') throw invalidFilter(filter, atEnd(), 'expected a lambda variable');
      expect(':');
      const body = parseOr();
      expect(')');
      return { kind: 'lambda', quantifier, collection: path, variable: variable.text, body };
    }
    const operator = tokens[position++];
    const op = operator?.type === 'word' ? operator.text.toLowerCase() : '';
    if (!['eq', 'ne', 'gt', 'ge', 'lt', 'le'].includes(op)) {
      throw invalidFilter(filter, operator?.at ?? filter.length, `expected a comparison operator after '${path.join('/')}'`);
    }
    return { kind: 'compare', op: op as Comparison, path, value: parseLiteral() };
  };
  const parseAnd = (): FilterExpression => {
    let left = parsePrimary();
    while (isWord(peek(), 'and')) {
      position++;
      left = { kind: 'and', left, right: parsePrimary() };
    }
    return left;
  };
  function parseOr(): FilterExpression {
    let left = parseAnd();
    while (isWord(peek(), 'or')) {
      position++;
      left = { kind: 'or', left, right: parseAnd() };
    }
    return left;
  }

  const expression = parseOr();
  if (position < tokens.length) throw invalidFilter(filter, atEnd(), `unexpected '${tokens[position]?.text}'`);
  return expression;
}

/** Property lookup ignores case, as Graph does. */
export function property(target: unknown, name: string): unknown {
  if (typeof target !== 'object' || target === null) return undefined;
  const record = target as Json;
  if (name in record) return record[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(record)) if (key.toLowerCase() === lower) return record[key];
  return undefined;
}

function resolve(path: string[], root: unknown, scope: Map<string, unknown>): unknown {
  const [head, ...rest] = path as [string, ...string[]];
  let value: unknown = scope.has(head) ? scope.get(head) : property(root, head);
  for (const name of rest) value = property(value, name);
  return value;
}

function compare(op: Comparison, actual: unknown, expected: Literal): boolean {
  const left = actual === undefined ? null : actual;
  if (left === null || expected === null) {
    if (op === 'eq') return left === expected;
    if (op === 'ne') return left !== expected;
    return false;
  }
  const normalize = (value: unknown): unknown => (typeof value === 'string' ? value.toLowerCase() : value);
  const a = normalize(left);
  const b = normalize(expected);
  switch (op) {
    case 'eq':
      return a === b;
    case 'ne':
      return a !== b;
    case 'gt':
      return (a as number) > (b as number);
    case 'ge':
      return (a as number) >= (b as number);
    case 'lt':
      return (a as number) < (b as number);
    case 'le':
      return (a as number) <= (b as number);
  }
}

export function matches(expression: FilterExpression, root: unknown, scope: Map<string, unknown> = new Map()): boolean {
  switch (expression.kind) {
    case 'and':
      return matches(expression.left, root, scope) && matches(expression.right, root, scope);
    case 'or':
      return matches(expression.left, root, scope) || matches(expression.right, root, scope);
    case 'not':
      return !matches(expression.operand, root, scope);
    case 'compare':
      return compare(expression.op, resolve(expression.path, root, scope), expression.value);
    case 'call': {
      const value = resolve(expression.path, root, scope);
      if (typeof value !== 'string') return false;
      const [haystack, needle] = [value.toLowerCase(), expression.value.toLowerCase()];
      return expression.name === 'startswith' ? haystack.startsWith(needle) : haystack.endsWith(needle);
    }
    case 'lambda': {
      const collection = resolve(expression.collection, root, scope);
      const items = Array.isArray(collection) ? collection : [];
      const test = (item: unknown): boolean => matches(expression.body, root, new Map(scope).set(expression.variable, item));
      return expression.quantifier === 'any' ? items.some(test) : items.every(test);
    }
  }
}

/** Every property path the expression reads (lambda bodies relative to their collection). */
export function referencedPaths(expression: FilterExpression, variables: Set<string> = new Set()): string[][] {
  switch (expression.kind) {
    case 'and':
    case 'or':
      return [...referencedPaths(expression.left, variables), ...referencedPaths(expression.right, variables)];
    case 'not':
      return referencedPaths(expression.operand, variables);
    case 'compare':
    case 'call':
      return variables.has(expression.path[0] as string) ? [] : [expression.path];
    case 'lambda':
      return [expression.collection];
  }
}

export function usesAdvancedOperators(expression: FilterExpression): boolean {
  switch (expression.kind) {
    case 'and':
    case 'or':
      return usesAdvancedOperators(expression.left) || usesAdvancedOperators(expression.right);
    case 'not':
      return true;
    case 'compare':
      return expression.op === 'ne';
    case 'call':
      return expression.name === 'endswith';
    case 'lambda':
      return usesAdvancedOperators(expression.body);
  }
}
