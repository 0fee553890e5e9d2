/** apache-crypt ships no types: (password, salt?) => 13-character DES crypt string. */
declare module 'apache-crypt' {
  function apacheCrypt(password: string, salt?: string): string;
  export = apacheCrypt;
}
