/**
 * Graph's rules for filtering users on `identities` (objectIdentity, "Filtering"): an issuerAssignedId filter
 * must also name the issuer, entries of signInType userPrincipalName can't be filtered, and for `emailAddress`
 * and `userName` entries the issuer value is ignored.
 */
import type { FilterExpression } from '../filter';
import { badRequest } from '../protocol';

/** objectIdentity "Filtering": an issuerAssignedId filter must also name the issuer; userPrincipalName entries can't be filtered. */
export function checkIdentitiesFilter(expression: FilterExpression): void {
  visitLambdas(expression, (lambda) => {
    if (String(lambda.collection[0]).toLowerCase() !== 'identities') return;
    const names = new Set<string>();
    const values: Array<[string, unknown]> = [];
    collectComparisons(lambda.body, lambda.variable, names, values);
    if (names.has('issuerassignedid') && !names.has('issuer')) {
      throw badRequest('Unsupported or invalid query filter clause specified for property \'identities\' of resource \'User\': supply both issuer and issuerAssignedId.', 'Request_UnsupportedQuery');
    }
    if (values.some(([name, value]) => name === 'signintype' && String(value).toLowerCase() === 'userprincipalname')) {
      throw badRequest('Filtering on identities with signInType userPrincipalName is not supported: filter on userPrincipalName instead.', 'Request_UnsupportedQuery');
    }
  });
}

/** objectIdentity "Filtering": for `emailAddress` and `userName` entries the issuer value is ignored. */
export function issuerIgnoredForLocalAccounts(expression: FilterExpression): FilterExpression {
  const rewrite = (node: FilterExpression, variable: string | undefined): FilterExpression => {
    switch (node.kind) {
      case 'and':
      case 'or':
        return { ...node, left: rewrite(node.left, variable), right: rewrite(node.right, variable) };
      case 'not':
        return { ...node, operand: rewrite(node.operand, variable) };
      case 'lambda':
        return { ...node, body: rewrite(node.body, String(node.collection[0]).toLowerCase() === 'identities' ? node.variable : undefined) };
      case 'compare': {
        if (variable === undefined || node.op !== 'eq' || node.path.length !== 2 || node.path[0] !== variable || node.path[1]?.toLowerCase() !== 'issuer') return node;
        const signInType = (value: string): FilterExpression => ({ kind: 'call', name: 'startswith', path: [variable, 'signInType'], value });
        return { kind: 'or', left: node, right: { kind: 'or', left: signInType('emailAddress'), right: signInType('userName') } };
      }
      default:
        return node;
    }
  };
  return rewrite(expression, undefined);
}

function visitLambdas(node: FilterExpression, visit: (lambda: Extract<FilterExpression, { kind: 'lambda' }>) => void): void {
  if (node.kind === 'and' || node.kind === 'or') {
    visitLambdas(node.left, visit);
    visitLambdas(node.right, visit);
  } else if (node.kind === 'not') visitLambdas(node.operand, visit);
  else if (node.kind === 'lambda') {
    visit(node);
    visitLambdas(node.body, visit);
  }
}

function collectComparisons(node: FilterExpression, variable: string, names: Set<string>, values: Array<[string, unknown]>): void {
  if (node.kind === 'and' || node.kind === 'or') {
    collectComparisons(node.left, variable, names, values);
    collectComparisons(node.right, variable, names, values);
  } else if (node.kind === 'not') collectComparisons(node.operand, variable, names, values);
  else if ((node.kind === 'compare' || node.kind === 'call') && node.path[0] === variable && node.path[1] !== undefined) {
    names.add(node.path[1].toLowerCase());
    values.push([node.path[1].toLowerCase(), node.value]);
  }
}
