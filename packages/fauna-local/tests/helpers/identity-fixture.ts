/**
 * A frozen, reduced copy of the identity schema (fauna/): the one FSL fixture of the local Fauna's engine tests
 * (packages/fauna-local/tests/unit/) and of the conformance suite (packages/fauna-local/tests/conformance/, which also runs against a real Fauna).
 * It is a copy on purpose: those suites test the emulator's semantics, and must not change when the service's schema
 * evolves (the service's own schema is exercised by the integration, evidence and security suites). It adds what they
 * need besides: `Product` with a price and a `byName` index, `Note` (any fields), an optional `Customer.name`.
 */
export const IDENTITY_FIXTURE: Readonly<Record<string, string>> = {
  'collections.fsl': `
collection Customer {
  email: String
  sub: String
  name: String?

  unique [.email]
  unique [.sub]

  index byEmail {
    terms [.email]
  }
  index bySub {
    terms [.sub]
  }
}

collection Product {
  name: String
  price: Int?
  *: Any
  index byName {
    terms [.name]
    values [desc(.price)]
  }
}

collection Note {
  *: Any
}
`,
  'roles.fsl': `
role customer {
  membership Customer
  privileges Product { read }
  privileges Customer {
    read { predicate ((doc) => Query.identity() == doc) }
  }
}

role pretokenTrigger {
  privileges signIn { call }
}
`,
  'functions.fsl': `
@role(server)
function signIn(sub, email, ttlSeconds, meta) {
  let bySub = Customer.bySub(sub).first()
  let user = bySub ?? (Customer.byEmail(email).first() ?? Customer.create({ email: email, sub: sub }))
  let linked = if (user.sub != sub || user.email != email) user.update({ sub: sub, email: email }) else user
  let token = Token.create({ document: linked, ttl: Time.now().add(ttlSeconds, "seconds"), data: meta })
  { userId: linked.id, secret: token.secret, expiresAt: token.ttl, created: bySub == null }
}
`,
};
