/**
 * Reads deploy/github-oidc-roles.yml as CloudFormation YAML (short-form tags such as `!Sub` turned into their
 * `Fn::` objects) and renders its `Fn::Sub` strings with given parameters and fixed pseudo parameters.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, type ScalarTag, type CollectionTag } from 'yaml';
import { PSEUDO, UnrenderableValueError } from './cloudformation.ts';

export const DEPLOY_ROLES_TEMPLATE = path.join(process.cwd(), 'deploy', 'github-oidc-roles.yml');
/** The stages the pipeline deploys (local is never deployed). */
export const deployStages = ['dev', 'staging', 'prod'] as const;
export type DeployStage = (typeof deployStages)[number];

export interface PolicyStatement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

export interface CfnResource {
  Type: string;
  Condition?: string;
  Properties: Record<string, unknown>;
}

export interface CfnTemplate {
  Conditions?: Record<string, unknown>;
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, { Value: unknown }>;
}

// CloudFormation's short forms: `!Sub x` = { 'Fn::Sub': x }, `!Ref x` = { Ref: x }, `!GetAtt a.b` = { 'Fn::GetAtt': [a, b] }.
const FUNCTIONS = ['Sub', 'If', 'Equals', 'Not', 'Join', 'Select', 'Split', 'FindInMap', 'Base64', 'ImportValue'] as const;
const customTags: (ScalarTag | CollectionTag)[] = [
  ...FUNCTIONS.flatMap((name): (ScalarTag | CollectionTag)[] => [
    { tag: `!${name}`, resolve: (value: string) => ({ [`Fn::${name}`]: value }) } as ScalarTag,
    { tag: `!${name}`, collection: 'seq', resolve: (value: { toJSON(): unknown }) => ({ [`Fn::${name}`]: value.toJSON() }) } as unknown as CollectionTag,
  ]),
  { tag: '!Ref', resolve: (value: string) => ({ Ref: value }) } as ScalarTag,
  { tag: '!GetAtt', resolve: (value: string) => ({ 'Fn::GetAtt': value.split('.') }) } as ScalarTag,
];

export function loadDeployRolesTemplate(file = DEPLOY_ROLES_TEMPLATE): CfnTemplate {
  return parse(readFileSync(file, 'utf8'), { customTags }) as CfnTemplate;
}

/** Renders a string or `Fn::Sub` string with the template's `parameters` and the fixed pseudo parameters. */
export function renderSub(value: unknown, parameters: Record<string, string>): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && 'Fn::Sub' in value && typeof value['Fn::Sub'] === 'string') {
    const known: Record<string, string> = { ...PSEUDO, ...parameters };
    return value['Fn::Sub'].replace(/\$\{([\w:]+)\}/g, (match, name: string) => {
      if (!(name in known)) throw new UnrenderableValueError(value);
      return known[name]!;
    });
  }
  throw new UnrenderableValueError(value);
}

/** The deploy role of `stage`, with every statement of its inline policies. */
export function deployRoleFor(template: CfnTemplate, stage: DeployStage): CfnResource & { statements: PolicyStatement[] } {
  const id = `${stage[0]!.toUpperCase()}${stage.slice(1)}DeployRole`;
  const role = template.Resources[id];
  if (!role) throw new Error(`deploy/github-oidc-roles.yml has no ${id}`);
  const policies = (role.Properties.Policies ?? []) as { PolicyDocument: { Statement: PolicyStatement[] } }[];
  return { ...role, statements: policies.flatMap((policy) => policy.PolicyDocument.Statement) };
}
