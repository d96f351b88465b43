/**
 * `npm run demo`: the guide's "Test user access" on this machine. Starts the local stack (local Fauna,
 * serverless offline serving the trigger, cognito-local calling it), creates a user pool, app client and user,
 * signs in with amazon-cognito-identity-js, shows the ID token and queries Fauna with its `fauna_token_secret`,
 * refreshes the session, shows a member of catalog-editors creating a Product and losing the right when Cognito
 * removes it from the group (the CloudTrail event handed to the revocation function in-process), and stops
 * everything. Exits non-zero as soon as a step fails.
 *
 * Usage: npm run demo [-- --verbose]   (--verbose also prints the output of every process of the stack)
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AdminRemoveUserFromGroupCommand } from '@aws-sdk/client-cognito-identity-provider';
import type { Context } from 'aws-lambda';
import { fql } from 'fauna';
import { pathToFileURL } from 'node:url';
import { faunaSecretOf, FAUNA_SECRET_CLAIM, idTokenClaims, refreshSession, signIn, USER_ID_CLAIM } from '../examples/signin.ts';
import { faunaClientForUser, readIdentity, readProducts, tryCreateProduct } from '../examples/query-as-user.ts';
import type { Identity } from '../examples/query-as-user.ts';
import { cognitoAdminClient, createConfirmedUser } from '../stack/cognito-admin.ts';
import { addUserToGroup } from '../stack/cognito-groups.ts';
import { startLocalStack } from '../stack/index.ts';
import type { LocalStack } from '../stack/index.ts';
import { localIdTokenVerifier, trustedFaunaSecret } from '../examples/verify-id-token.ts';
import { seedProducts } from '../stack/sample-data.ts';
import { createRevokeFaunaTokensHandler } from '../handlers/revocation/create-revoke-handler.ts';
import { EmfMetrics } from '../handlers/common/telemetry/emf-metrics.ts';
import { JsonLogger } from '../handlers/common/telemetry/json-logger.ts';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../handlers/common/telemetry/service-telemetry.ts';
import type { CloudTrailEvent } from '../lib/revocation/cloudtrail-event.ts';
import { createTriggerKey } from '../tools/fauna-admin.ts';
import { defineCli, describeError, parseCliOrExit } from '../tools/cli.ts';

/** How much of a secret the demo shows, at each end: enough to tell two apart, far too little to use. */
export const SHOWN_SECRET_CHARS = 6;
const DEMO_EMAIL = 'ada@example.com';
/** The second user of the demo, a member of the group that may edit the catalogue (fauna/roles.fsl, catalogEditor). */
const EDITOR_EMAIL = 'grace@example.com';
export const EDITOR_GROUP = 'catalog-editors';

/** A step of the demo did not do what the guide says it does. */
export class DemoStepError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DemoStepError';
  }
}

/**
 * `fnAbCd…wXyZ12 (51 chars)`: a secret as the demo prints it. Both ends, because secrets minted close together
 * share their first characters.
 */
export function truncateSecret(secret: string): string {
  return `${secret.slice(0, SHOWN_SECRET_CHARS)}…${secret.slice(-SHOWN_SECRET_CHARS)} (${secret.length} chars)`;
}

const say = (text: string): void => console.log(text);
const heading = (text: string): void => say(`\n▶ ${text}`);
const ok = (text: string): void => say(`  ✓ ${text}`);
const info = (text: string): void => say(`    ${text}`);

function check(condition: boolean, failure: string): void {
  if (!condition) throw new DemoStepError(failure);
}

export const CLI = defineCli({
  command: 'npm run demo --',
  summary: "Fauna's Cognito guide on this machine: starts the local stack (local Fauna, serverless offline, cognito-local), signs a user in, queries Fauna with the token's secret, refreshes, stops everything.",
  options: { verbose: { type: 'boolean', default: false, help: 'also print every line the three parts of the stack write' } },
  examples: ['npm run demo', 'npm run demo -- --verbose'],
});

async function main(): Promise<void> {
  const values = parseCliOrExit(CLI);
  heading('Starting the local stack: local Fauna, serverless offline (the trigger), cognito-local');
  const stack = await startLocalStack({
    onOutput: (source, line) => {
      if (source === 'stack') info(line);
      else if (values.verbose) say(`    [${source}] ${line}`);
    },
  });
  try {
    await runDemo(stack, values.verbose);
    say('\nEvery step worked: Cognito put a working Fauna secret for the user into the ID token.');
  } finally {
    heading('Stopping the local stack');
    await stack.stop();
    ok('every process stopped');
  }
}

async function runDemo(stack: LocalStack, verbose: boolean): Promise<void> {
  ok(`stack running: cognito-local calls ${stack.triggerFunctionName}, which uses trigger key ${stack.triggerKeyId} (role pretokenTrigger)`);
  const products = await seedProducts(stack.fauna);
  ok(`${products.length} sample products written with the root secret`);

  heading('1. Create a user in the stack\'s user pool, the one pool the trigger serves (AWS SDK against cognito-local)');
  const admin = cognitoAdminClient(stack.cognitoUrl);
  const password = `Demo-${randomBytes(9).toString('base64url')}1!`;
  const { pool, user } = await (async () => {
    try {
      const pool = stack.userPool;
      const user = await createConfirmedUser(admin, pool.userPoolId, { email: DEMO_EMAIL, password });
      return { pool, user };
    } finally {
      admin.destroy();
    }
  })();
  ok(`pool ${pool.userPoolId}, app client ${pool.clientId} (USER_PASSWORD_AUTH allowed)`);
  ok(`user ${user.username}, sub ${user.sub}, permanent password set (AdminSetUserPassword)`);

  heading('2. Sign in as the guide\'s signin.js does (amazon-cognito-identity-js; the trigger runs in serverless offline)');
  const signInConfig = { ...pool, endpoint: `${stack.cognitoUrl}/`, authenticationFlow: 'USER_PASSWORD_AUTH' as const };
  const signedIn = await signIn(signInConfig, { username: user.username, password });
  const claims = idTokenClaims(signedIn.session);
  info('ID token payload (decoded; the secret shortened here):');
  say(indent(JSON.stringify({ ...claims, [FAUNA_SECRET_CLAIM]: truncateSecret(String(claims[FAUNA_SECRET_CLAIM])) }, null, 2), 6));
  const secret = faunaSecretOf(signedIn.session);
  const userId = claims[USER_ID_CLAIM];
  check(typeof userId === 'string' && userId.length > 0, `The ID token has no "${USER_ID_CLAIM}" claim.`);
  ok(`${FAUNA_SECRET_CLAIM} is there: ${truncateSecret(secret)}`);
  ok(`${USER_ID_CLAIM} is there: ${String(userId)} (the user's identity document in Fauna)`);
  check(!('email' in claims), 'The ID token still carries the email claim; the trigger should suppress it.');
  ok('email is gone (claimsToSuppress), so the token does not spread the address');
  // What a backend does before it trusts the claim: aws-jwt-verify, pointed at cognito-local's issuer and JWKS.
  const issuer = `${stack.cognitoUrl}/${pool.userPoolId}`;
  const verified = await trustedFaunaSecret(signedIn.session.getIdToken().getJwtToken(), localIdTokenVerifier({ issuer, clientId: pool.clientId }));
  check(verified.secret === secret, 'The verified token carries another secret than the decoded one.');
  ok(`aws-jwt-verify accepts it: signature against ${issuer}/.well-known/jwks.json, issuer, audience ${pool.clientId}, token_use id, expiry`);
  const [header, , signature] = signedIn.session.getIdToken().getJwtToken().split('.');
  const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, [USER_ID_CLAIM]: 'someone-else' })).toString('base64url')}.${signature}`;
  const forgedRefused = await trustedFaunaSecret(forged, localIdTokenVerifier({ issuer, clientId: pool.clientId })).then(() => false, () => true);
  check(forgedRefused, 'aws-jwt-verify accepted an ID token whose payload was changed.');
  ok('and refuses the same token with its userId changed (signature no longer matches)');

  heading('3. Query Fauna as the user, with nothing but the secret from the token');
  const identity = await queryAsUser(stack, secret, String(userId));

  heading('4. Refresh the session (Cognito runs the trigger again: TokenGeneration_RefreshTokens)');
  const refreshed = await refreshSession(signedIn);
  const newSecret = faunaSecretOf(refreshed);
  check(newSecret !== secret, 'The refreshed ID token carries the same secret; the trigger should mint a new token.');
  ok(`new ${FAUNA_SECRET_CLAIM}: ${truncateSecret(newSecret)} (a new Fauna token, not the old one)`);
  const client = faunaClientForUser(newSecret, stack.fauna.url);
  try {
    const again = await readIdentity(client);
    check(again.id === identity.id, `The new secret authenticates as ${again.id}, not as ${identity.id}.`);
    ok(`it authenticates as the same identity ${again.collection}/${again.id}`);
  } finally {
    client.close();
  }

  const editor = await groupRights(stack, `Demo-${randomBytes(9).toString('base64url')}2!`);
  await groupRemoval(stack, editor, verbose);
}

/** Step 5 (issue 22): a user in the group catalog-editors may create a Product, which the first user could not. */
async function groupRights(stack: LocalStack, password: string): Promise<Editor> {
  heading(`5. A user in the Cognito group ${EDITOR_GROUP} does what the first user could not (role catalogEditor, fauna/roles.fsl)`);
  const admin = cognitoAdminClient(stack.cognitoUrl);
  let username: string;
  let sub: string;
  try {
    const editor = await createConfirmedUser(admin, stack.userPool.userPoolId, { email: EDITOR_EMAIL, password });
    await addUserToGroup(admin, stack.userPool.userPoolId, editor.username, EDITOR_GROUP);
    ({ username, sub } = editor);
  } finally {
    admin.destroy();
  }
  ok(`user ${username} created and added to ${EDITOR_GROUP} (CreateGroup, AdminAddUserToGroup)`);
  const signedIn = await signIn({ ...stack.userPool, endpoint: `${stack.cognitoUrl}/`, authenticationFlow: 'USER_PASSWORD_AUTH' }, { username, password });
  const secret = faunaSecretOf(signedIn.session);
  const client = faunaClientForUser(secret, stack.fauna.url);
  try {
    const { data: groups } = await client.query<string[] | null>(fql`Query.identity()?.groups`);
    check(Array.isArray(groups) && groups.includes(EDITOR_GROUP), `The sign-in stored the groups ${JSON.stringify(groups)} on the identity, not ${EDITOR_GROUP}.`);
    ok(`the sign-in stored the user's groups on the Fauna identity: Query.identity().groups → ${JSON.stringify(groups)}`);
    const write = await tryCreateProduct(client, 'Espresso machine, added by an editor');
    check(write.allowed, `The ${EDITOR_GROUP} member could not create a Product: ${write.allowed ? '' : write.code}.`);
    ok(`create Product allowed for the ${EDITOR_GROUP} member → Product/${write.allowed ? write.id : ''} (the JWT still carries only the secret and the id)`);
  } finally {
    client.close();
  }
  return { username, sub, secret };
}

/** The editor of step 5 and the Fauna secret its ID token carries. */
interface Editor {
  username: string;
  sub: string;
  secret: string;
}

/**
 * The sample CloudTrail record of AdminRemoveUserFromGroup (events/cloudtrail/), as CloudTrail would write it for
 * this pool's user: CloudTrail hides the username and records the user's sub, which is what the function reads.
 */
function adminRemoveUserFromGroupEvent(userPoolId: string, sub: string, groupName: string): CloudTrailEvent {
  const event = JSON.parse(readFileSync(new URL('../events/cloudtrail/admin-remove-user-from-group.json', import.meta.url), 'utf8')) as CloudTrailEvent;
  event.detail.requestParameters = { ...event.detail.requestParameters, userPoolId, groupName };
  event.detail.additionalEventData = { ...event.detail.additionalEventData, sub };
  return event;
}

/**
 * Step 6 (issue 22): the editor leaves the group in cognito-local and the revocation function gets the CloudTrail
 * event; the secret the editor already holds loses the right on its next query, with no new sign-in. CloudTrail and
 * EventBridge do not exist in the local stack, so the demo builds the event and calls the function in-process, with
 * the local Fauna and a key of role tokenRevoker (what the deployed function gets from SSM).
 */
async function groupRemoval(stack: LocalStack, editor: Editor, verbose: boolean): Promise<void> {
  heading(`6. Cognito removes the editor from ${EDITOR_GROUP}; the secret the editor already holds loses the right (no new sign-in)`);
  const userPoolId = stack.userPool.userPoolId;
  const admin = cognitoAdminClient(stack.cognitoUrl);
  try {
    await admin.send(new AdminRemoveUserFromGroupCommand({ UserPoolId: userPoolId, Username: editor.username, GroupName: EDITOR_GROUP }));
  } finally {
    admin.destroy();
  }
  ok(`AdminRemoveUserFromGroup in cognito-local: ${editor.username} is no longer in ${EDITOR_GROUP}`);
  info('CloudTrail and EventBridge are not part of the local stack: the demo builds the CloudTrail event the call would');
  info('produce (events/cloudtrail/admin-remove-user-from-group.json with this pool and sub) and hands it to the function.');
  const key = await createTriggerKey({ endpoint: stack.fauna.url, adminSecret: stack.fauna.rootSecret, stage: 'local', createdBy: 'demo', role: 'tokenRevoker' });
  // The function's JSON logs and metrics go to the demo's output with --verbose only.
  const write = (line: string): void => {
    if (verbose) say(`    [revokeFaunaTokens] ${line}`);
  };
  const revoker = createRevokeFaunaTokensHandler(
    { STAGE: 'local', FAUNA_ENDPOINT: stack.fauna.url, FAUNA_SECRET: key.secret, USER_POOL_IDS: userPoolId },
    { logger: new JsonLogger({ serviceName: SERVICE_NAME, write }), metrics: new EmfMetrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME, write }) },
  );
  try {
    const context = { awsRequestId: `demo-${randomBytes(4).toString('hex')}`, functionName: 'cognito-fauna-local-revokeFaunaTokens', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;
    const answer = await revoker.handler(adminRemoveUserFromGroupEvent(userPoolId, editor.sub, EDITOR_GROUP), context);
    check(answer.outcome === 'groups_updated', `The revocation function answered ${JSON.stringify(answer)}, not groups_updated.`);
    ok(`revokeFaunaTokens (in-process, key role tokenRevoker) → ${JSON.stringify(answer)}`);
  } finally {
    revoker.dispose();
  }
  const client = faunaClientForUser(editor.secret, stack.fauna.url);
  try {
    const { data: groups } = await client.query<string[] | null>(fql`Query.identity()?.groups`);
    check(Array.isArray(groups) && !groups.includes(EDITOR_GROUP), `The identity still holds the groups ${JSON.stringify(groups)}.`);
    ok(`the same secret ${truncateSecret(editor.secret)} reads its identity: Query.identity().groups → ${JSON.stringify(groups)}`);
    const write = await tryCreateProduct(client, 'Espresso machine, added by a former editor');
    check(!write.allowed, `The former ${EDITOR_GROUP} member could still create a Product with the same secret.`);
    if (!write.allowed) ok(`create Product with the same secret refused by Fauna: ${write.code} (the right went with the group, on the next query)`);
  } finally {
    client.close();
  }
}

async function queryAsUser(stack: LocalStack, secret: string, userId: string): Promise<Identity> {
  const client = faunaClientForUser(secret, stack.fauna.url);
  try {
    const identity = await readIdentity(client);
    check(identity.id === userId, `Query.identity() is ${identity.id}, but the token's userId is ${userId}.`);
    ok(`Query.identity() → ${identity.collection}/${identity.id} (email ${identity.email ?? 'not stored'}): the userId of the token`);
    const products = await readProducts(client);
    check(products.length > 0, 'The user read no products; the customer role should allow reading Product.');
    ok(`read Product (allowed by role customer) → ${products.map((product) => product.name).join(', ')}`);
    const write = await tryCreateProduct(client, 'Free espresso machine');
    check(!write.allowed, 'The user could create a Product; the customer role should refuse writes.');
    if (!write.allowed) ok(`create Product refused by Fauna: ${write.code}`);
    return identity;
  } finally {
    client.close();
  }
}

function indent(text: string, spaces: number): string {
  return text
    .split('\n')
    .map((line) => ' '.repeat(spaces) + line)
    .join('\n');
}

// Run only as a script, so that importing truncateSecret does not start a stack.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(`\n✗ The demo failed: ${describeError(error)}`);
    process.exitCode = 1;
  });
}
