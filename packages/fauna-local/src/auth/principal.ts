/** Who sends a request, as authentication resolved its secret, and in which database it works. */
export type Principal = (
  /** `role` is set for a scoped root secret (`secret:server`, `secret:@role/Name`); absent means admin. */
  | { kind: 'root'; role?: string }
  | { kind: 'key'; keyId: string; role: string }
  | { kind: 'token'; tokenId: string; identity: { coll: string; id: string } }
) & {
  /** The child database the secret works in, as names from the root (`['app', 'test']`); absent = the root database. */
  database?: readonly string[];
};
