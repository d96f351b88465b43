import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { parseRevocationEvent, RevocationEventName } from '../../../lib/revocation/cloudtrail-event.ts';
import { InvalidRevocationEventError } from '../../../lib/revocation/revocation-errors.ts';

const dir = new URL('../../../events/cloudtrail/', import.meta.url);
const sample = (name: string) => JSON.parse(readFileSync(new URL(name, dir), 'utf8')) as Record<string, any>;
const SUB = '7d8ca528-4931-4254-9273-ea5ee853f271';
const POOL = 'us-east-1_EXAMPLE12';

describe('parseRevocationEvent', () => {
  it('has one sample event for each of the five operations, and reads the pool and the sub from each', () => {
    // Arrange
    const names = readdirSync(dir).filter((name) => name.endsWith('.json'));

    // Act
    const requests = names.map((name) => parseRevocationEvent(sample(name)));

    // Assert
    expect(requests.map((request) => request.eventName).sort()).toEqual(Object.values(RevocationEventName).sort());
    for (const request of requests) expect(request).toMatchObject({ userPoolId: POOL, sub: SUB, username: undefined, errorCode: undefined });
  });

  it('treats a HIDDEN… user name as absent and keeps a visible one', () => {
    expect(parseRevocationEvent(sample('admin-delete-user.json')).username).toBeUndefined();
    expect(parseRevocationEvent(sample('variants/admin-disable-user-username-only.json'))).toMatchObject({ username: 'ada@example.com', sub: undefined });
  });

  it('reports the error code of a call that failed', () => {
    expect(parseRevocationEvent(sample('variants/admin-delete-user-access-denied.json')).errorCode).toBe('AccessDenied');
  });

  it.each([
    ['""', '', '(empty)'],
    ['an object', { code: 'AccessDenied' }, '(object)'],
    ['null', null, '(null)'],
    ['a number', 403, '(number)'],
  ])('reports an errorCode of %s as a failed call, described by its type', (_label, errorCode, described) => {
    const event = sample('admin-delete-user.json');
    event.detail.errorCode = errorCode;
    expect(parseRevocationEvent(event).errorCode).toBe(described);
  });

  it('reads the account and region from the envelope, or from CloudTrail\'s copy when the envelope lacks them', () => {
    expect(parseRevocationEvent(sample('admin-delete-user.json'))).toMatchObject({ account: '123456789012', region: 'us-east-1' });
    const event = sample('admin-delete-user.json');
    delete event.account;
    delete event.region;
    expect(parseRevocationEvent(event)).toMatchObject({ account: '123456789012', region: 'us-east-1' });
    delete event.detail.recipientAccountId;
    delete event.detail.awsRegion;
    expect(parseRevocationEvent(event)).toMatchObject({ account: undefined, region: undefined });
  });

  it('finds the pool in a userpool ARN of `resources` when no parameter names it', () => {
    // Arrange
    const event = sample('global-sign-out.json');
    delete event.detail.additionalEventData.userPoolId;
    event.detail.resources = [{ type: 'AWS::Cognito::UserPool', ARN: `arn:aws:cognito-idp:us-east-1:123456789012:userpool/${POOL}` }];

    // Act + Assert
    expect(parseRevocationEvent(event).userPoolId).toBe(POOL);
  });

  it.each([
    ['another detail-type', (e: Record<string, any>) => { e['detail-type'] = 'AWS Service Event via CloudTrail'; }],
    ['another source', (e: Record<string, any>) => { e.source = 'aws.s3'; }],
    ['another operation', (e: Record<string, any>) => { e.detail.eventName = 'AdminEnableUser'; }],
    ['no pool', (e: Record<string, any>) => { delete e.detail.requestParameters.userPoolId; }],
    ['a malformed pool id', (e: Record<string, any>) => { e.detail.requestParameters.userPoolId = '*'; }],
    ['no detail', (e: Record<string, any>) => { delete e.detail; }],
    ['an envelope account that differs from CloudTrail\'s', (e: Record<string, any>) => { e.account = '210987654321'; }],
    ['an envelope region that differs from CloudTrail\'s', (e: Record<string, any>) => { e.detail.awsRegion = 'eu-west-1'; }],
    ['a malformed account', (e: Record<string, any>) => { e.account = 'everyone'; e.detail.recipientAccountId = 'everyone'; }],
    ['a region that is not a string', (e: Record<string, any>) => { e.region = ['us-east-1']; }],
  ])('rejects an event with %s as InvalidRevocationEventError', (_label, mutate) => {
    // Arrange
    const event = sample('admin-disable-user.json');
    mutate(event);

    // Act + Assert
    expect(() => parseRevocationEvent(event)).toThrow(InvalidRevocationEventError);
  });
});

describe('parseRevocationEvent: what group, attribute and RevokeToken events carry', () => {
  it('reads the group name of a group event, and treats a hidden one as absent', () => {
    expect(parseRevocationEvent(sample('admin-add-user-to-group.json'))).toMatchObject({ eventName: 'AdminAddUserToGroup', groupName: 'catalog-editors', sub: SUB, userPoolId: POOL });
    expect(parseRevocationEvent(sample('admin-remove-user-from-group.json'))).toMatchObject({ eventName: 'AdminRemoveUserFromGroup', groupName: 'catalog-editors' });
    expect(parseRevocationEvent(sample('variants/admin-remove-user-from-group-hidden-group.json')).groupName).toBeUndefined();
  });

  it.each([
    ['admin-update-user-attributes.json', ['custom:tenantId']],
    ['update-user-attributes.json', ['custom:tenantId']],
    ['admin-delete-user-attributes.json', ['custom:tenantId']],
    ['delete-user-attributes.json', ['custom:tenantId']],
    ['variants/admin-update-user-attributes-not-allowlisted.json', ['given_name']],
    ['variants/admin-update-user-attributes-hidden-names.json', undefined],
  ])('%s: the attribute names are %j (values are never read from the event)', (name, names) => {
    expect(parseRevocationEvent(sample(name)).attributeNames).toEqual(names);
  });

  it('treats an attribute list with any hidden or non-string name as unknown names', () => {
    const event = sample('admin-update-user-attributes.json');
    event.detail.requestParameters.userAttributes = [{ name: 'custom:tenantId', value: 'x' }, { name: 'HIDDEN_DUE_TO_SECURITY_REASONS' }];
    expect(parseRevocationEvent(event).attributeNames).toBeUndefined();
    event.detail.requestParameters.userAttributes = [{ name: 7 }];
    expect(parseRevocationEvent(event).attributeNames).toBeUndefined();
  });

  it('reads the app client of RevokeToken, and its sub only where the event has one', () => {
    expect(parseRevocationEvent(sample('revoke-token.json'))).toMatchObject({ eventName: 'RevokeToken', clientId: '1example23456789', sub: SUB, userPoolId: POOL });
    expect(parseRevocationEvent(sample('variants/revoke-token-no-sub.json'))).toMatchObject({ clientId: '1example23456789', sub: undefined });
  });

  it('refuses a group event that names no pool: a group cannot be granted without knowing whose pool it is', () => {
    const event = sample('admin-add-user-to-group.json');
    delete event.detail.requestParameters.userPoolId;
    expect(() => parseRevocationEvent(event)).toThrow(InvalidRevocationEventError);
  });
});
