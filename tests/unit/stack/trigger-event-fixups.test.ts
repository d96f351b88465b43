import { describe, expect, it } from '@jest/globals';
import { AdminListGroupsForUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { answerForCognitoLocal, stageTriggerVersion, toTriggerVersion, withUserGroups } from '../../../stack/trigger-event-fixups.ts';

const cognitoLocalEvent = () => ({
  version: '0',
  triggerSource: 'TokenGeneration_Authentication',
  region: 'us-east-1',
  userPoolId: 'local_Pool1',
  userName: 'user-1',
  callerContext: { clientId: 'client' },
  request: { userAttributes: { sub: 's-1' }, groupConfiguration: {}, clientMetadata: {} },
  response: { claimsOverrideDetails: {} },
});

describe('stageTriggerVersion', () => {
  it("takes the stage's triggerVersion, V1_0 when unset, and refuses anything else naming the stage", () => {
    expect(stageTriggerVersion({ triggerVersion: 'V2_0' }, 'dev')).toBe('V2_0');
    expect(stageTriggerVersion({}, 'local')).toBe('V1_0');
    expect(() => stageTriggerVersion({ triggerVersion: 'V9' }, 'dev')).toThrow('serverless.yml params.dev.triggerVersion is "V9"');
  });
});

describe('withUserGroups', () => {
  it("fills groupsToOverride from the user's groups (every page), and leaves groups the event already has", async () => {
    const pages = [{ Groups: [{ GroupName: 'a' }], NextToken: 't' }, { Groups: [{ GroupName: 'b' }] }];
    const sent: AdminListGroupsForUserCommand[] = [];
    const admin = { send: async (command: AdminListGroupsForUserCommand) => (sent.push(command), pages.shift()) } as never;

    const filled = await withUserGroups(cognitoLocalEvent(), admin);
    const kept = await withUserGroups({ ...cognitoLocalEvent(), request: { userAttributes: {}, groupConfiguration: { groupsToOverride: ['x'] } } }, admin);

    expect((filled.request as { groupConfiguration: unknown }).groupConfiguration).toEqual({ groupsToOverride: ['a', 'b'], iamRolesToOverride: [], preferredRole: null });
    expect(sent.map((c) => c.input)).toEqual([{ UserPoolId: 'local_Pool1', Username: 'user-1', NextToken: undefined }, { UserPoolId: 'local_Pool1', Username: 'user-1', NextToken: 't' }]);
    expect((kept.request as { groupConfiguration: unknown }).groupConfiguration).toEqual({ groupsToOverride: ['x'] });
  });
});

describe('toTriggerVersion and answerForCognitoLocal', () => {
  it('V1_0: the event passes unchanged', () => {
    expect(toTriggerVersion(cognitoLocalEvent(), 'V1_0')).toEqual(cognitoLocalEvent());
  });

  it('V2_0: version "2", scopes and the V2 response field; the V2 answer goes back as V1 ID-token claims', () => {
    const v2 = toTriggerVersion(cognitoLocalEvent(), 'V2_0');
    expect(v2).toMatchObject({ version: '2', request: { scopes: ['openid', 'email', 'aws.cognito.signin.user.admin'] }, response: { claimsAndScopeOverrideDetails: null } });

    const answer = answerForCognitoLocal({
      ...v2,
      response: { claimsAndScopeOverrideDetails: { idTokenGeneration: { claimsToAddOrOverride: { a: 'b' }, claimsToSuppress: ['email'] }, accessTokenGeneration: { claimsToAddOrOverride: { c: 'd' } } } },
    });
    expect(answer).toMatchObject({ version: '1', response: { claimsOverrideDetails: { claimsToAddOrOverride: { a: 'b' }, claimsToSuppress: ['email'] } } });
  });

  it('events of other triggers and V1 answers pass through unchanged', () => {
    const other = { ...cognitoLocalEvent(), triggerSource: 'PreSignUp_SignUp' };
    expect(toTriggerVersion(other, 'V2_0')).toEqual(other);
    expect(answerForCognitoLocal(cognitoLocalEvent())).toEqual(cognitoLocalEvent());
  });
});
