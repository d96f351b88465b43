/**
 * deploy/github-oidc-roles.yml (the operator's template for GitHub's OIDC provider and the per-stage deploy roles),
 * read as CloudFormation YAML: who may assume each role, and that each role reaches only its own stage's resources.
 * What the roles must cover is checked against the packaged stages in packaging.test.ts ("deploy roles cover …").
 * cfn-lint (a Python tool) runs on it here when installed, and always in `npm run lint:cfn` (.ci/run, PR workflow).
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from '@jest/globals';
import { DEPLOY_ROLES_TEMPLATE, deployRoleFor, deployStages, loadDeployRolesTemplate, renderSub, type PolicyStatement } from './helpers/deploy-roles.ts';

const OWNER = 'example-org';
const REPOSITORY = 'cognito-fauna';
const SERVICE = 'cognito-fauna';
const template = loadDeployRolesTemplate();
const variables = { GitHubOwner: OWNER, GitHubRepository: REPOSITORY, ServiceName: SERVICE };
const render = (value: unknown) => renderSub(value, variables);
const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

function cfnLintAvailable(): boolean {
  try {
    execFileSync('cfn-lint', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('GitHub OIDC deploy roles (deploy/github-oidc-roles.yml)', () => {
  it('declares GitHub’s OIDC provider for the audience sts.amazonaws.com, unless the account already has one', () => {
    // Act
    const provider = template.Resources.GitHubOidcProvider!;

    // Assert
    expect(provider.Type).toBe('AWS::IAM::OIDCProvider');
    expect(provider.Properties).toMatchObject({ Url: 'https://token.actions.githubusercontent.com', ClientIdList: ['sts.amazonaws.com'] });
    expect(provider.Condition).toBe('CreateOidcProvider');
    expect(template.Conditions?.CreateOidcProvider).toEqual({ 'Fn::Equals': [{ Ref: 'ExistingOidcProviderArn' }, ''] });
  });

  it('has exactly one deploy role per deployed stage: dev, staging, prod', () => {
    // Act
    const roles = Object.entries(template.Resources).filter(([, resource]) => resource.Type === 'AWS::IAM::Role');

    // Assert
    expect(deployStages).toEqual(['dev', 'staging', 'prod']);
    expect(roles).toHaveLength(deployStages.length);
    for (const stage of deployStages) expect(render(deployRoleFor(template, stage).Properties.RoleName)).toBe(`${SERVICE}-${stage}-github-deploy`);
  });

  it.each(deployStages.map((stage) => [stage]))('%s: only a GitHub Actions job of this repository in the stage’s own environment may assume the role, with the STS audience', (stage) => {
    // Act
    const trust = (deployRoleFor(template, stage).Properties.AssumeRolePolicyDocument as { Statement: PolicyStatement[] }).Statement;

    // Assert
    expect(trust).toHaveLength(1);
    const [statement] = trust;
    expect(statement!.Effect).toBe('Allow');
    expect(statement!.Action).toBe('sts:AssumeRoleWithWebIdentity');
    expect(statement!.Principal).toEqual({ Federated: { 'Fn::If': ['CreateOidcProvider', { Ref: 'GitHubOidcProvider' }, { Ref: 'ExistingOidcProviderArn' }] } });
    // Exact matches only: no StringLike, so no wildcard branch, tag or other environment can match.
    expect(Object.keys(statement!.Condition!)).toEqual(['StringEquals']);
    const equals = statement!.Condition!.StringEquals!;
    expect(Object.keys(equals).sort()).toEqual(['token.actions.githubusercontent.com:aud', 'token.actions.githubusercontent.com:sub']);
    expect(equals['token.actions.githubusercontent.com:aud']).toBe('sts.amazonaws.com');
    expect(render(equals['token.actions.githubusercontent.com:sub'])).toBe(`repo:${OWNER}/${REPOSITORY}:environment:${stage}`);
  });

  it.each(deployStages.map((stage) => [stage]))('%s: every permission names this stage’s stack, bucket, functions, roles, log groups, alarms, topic, rules or parameters (account-wide only where IAM allows nothing narrower)', (stage) => {
    // Arrange
    const otherStages = deployStages.filter((other) => other !== stage);
    // IAM offers no resource-level permission for these, or the resource's name is not known before it exists.
    const accountWide: Record<string, string[]> = {
      // ListUserPools: prod's deploy resolves the existing pool's name to its id (serverless/existing-pool-check.cjs).
      '*': ['cloudformation:ValidateTemplate', 'cognito-idp:CreateUserPool', 'cognito-idp:ListUserPools'],
      [`arn:aws:logs:us-east-1:123456789012:log-group:*`]: ['logs:DescribeLogGroups'],
      [`arn:aws:cognito-idp:us-east-1:123456789012:userpool/*`]: ['cognito-idp:'],
      [`arn:aws:kms:us-east-1:123456789012:key/*`]: ['kms:Decrypt'],
    };

    // Act
    const statements = deployRoleFor(template, stage).statements;

    // Assert
    expect(statements.length).toBeGreaterThan(5);
    for (const statement of statements) {
      expect(statement.Effect).toBe('Allow');
      for (const resource of list(statement.Resource).map(render)) {
        for (const other of otherStages) expect(resource).not.toContain(`${SERVICE}-${other}`);
        if (resource in accountWide) {
          for (const action of list(statement.Action)) expect(accountWide[resource]!.some((allowed) => action.startsWith(allowed))).toBe(true);
        } else {
          expect(resource).toMatch(new RegExp(`(${SERVICE}-${stage}-|${SERVICE}-${stage}/|/${SERVICE}/${stage}/)`));
        }
      }
    }
  });

  it.each(deployStages.map((stage) => [stage]))('%s: decrypts only parameters of this stage, only through SSM', (stage) => {
    // Act
    const kms = deployRoleFor(template, stage).statements.filter((statement) => list(statement.Action).some((action) => action.startsWith('kms:')));

    // Assert
    expect(kms).toHaveLength(1);
    expect(render(kms[0]!.Condition!.StringEquals!['kms:ViaService'])).toBe('ssm.us-east-1.amazonaws.com');
    expect(render(kms[0]!.Condition!.StringLike!['kms:EncryptionContext:PARAMETER_ARN'])).toBe(`arn:aws:ssm:us-east-1:123456789012:parameter/${SERVICE}/${stage}/*`);
  });

  it.each(deployStages.map((stage) => [stage]))('%s: passes roles only to Lambda, and only this stage’s roles', (stage) => {
    // Act
    const passRole = deployRoleFor(template, stage).statements.filter((statement) => list(statement.Action).some((action) => action === 'iam:PassRole' || action === 'iam:*' || action === '*'));

    // Assert
    expect(passRole).toHaveLength(1);
    expect(list(passRole[0]!.Action)).toEqual(['iam:PassRole']);
    expect(list(passRole[0]!.Resource).map(render)).toEqual([`arn:aws:iam::123456789012:role/${SERVICE}-${stage}-*`]);
    expect(passRole[0]!.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } });
  });

  it('grants no wildcard action and no managed policy', () => {
    // Act
    const roles = deployStages.map((stage) => deployRoleFor(template, stage));

    // Assert
    for (const role of roles) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      for (const statement of role.statements) for (const action of list(statement.Action)) expect(action).not.toContain('*');
    }
  });

  (cfnLintAvailable() ? it : it.skip)(
    cfnLintAvailable() ? 'passes cfn-lint with no finding' : 'passes cfn-lint with no finding: SKIPPED, cfn-lint (Python) is not installed here; npm run lint:cfn in .ci/run and the PR workflow checks it',
    async () => {
      // Act
      const { stdout } = await promisify(execFile)('cfn-lint', [DEPLOY_ROLES_TEMPLATE]);

      // Assert (cfn-lint exits non-zero on any finding, which rejects)
      expect(stdout.trim()).toBe('');
    },
    60_000,
  );
});
