/**
 * Cognito group membership on the local stack (issue 22), through the AWS SDK pointed at cognito-local, which
 * implements CreateGroup and AdminAddUserToGroup as Cognito does. The trigger proxy then sends the user's groups to the
 * trigger in `groupConfiguration.groupsToOverride` (stack/trigger-event-fixups.ts).
 */
import { AdminAddUserToGroupCommand, CreateGroupCommand, type CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';

/** Creates `group` in the pool unless it exists, then adds the user to it. */
export async function addUserToGroup(client: CognitoIdentityProviderClient, userPoolId: string, username: string, group: string): Promise<void> {
  try {
    await client.send(new CreateGroupCommand({ UserPoolId: userPoolId, GroupName: group }));
  } catch (error) {
    if ((error as { name?: string }).name !== 'GroupExistsException') throw error;
  }
  await client.send(new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: username, GroupName: group }));
}
