/**
 * Where a stage's alarms notify (serverless/alarms.yml): the stage param `alarmTopicArn` when set (an SNS topic the
 * operator already has), else a topic this stack creates. Decided at package time, so the template holds no
 * condition that is constant once packaged (cfn-lint W8003). `.cjs` because the framework loads it with require().
 */
'use strict';

const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/;
const CREATED_TOPIC_ID = 'AlarmTopic';

async function givenTopicArn(resolveVariable) {
  const value = String((await resolveVariable('param:alarmTopicArn')) ?? '').trim();
  if (value !== '' && !TOPIC_ARN.test(value)) {
    throw new Error(`Stage param alarmTopicArn is not an SNS topic ARN ('${value}'). Set it to arn:<partition>:sns:<region>:<account>:<topic>, or '' to let the stack create one.`);
  }
  return value;
}

/** The alarms' actions: the given topic, or the created one. */
async function alarmActions({ resolveVariable }) {
  const given = await givenTopicArn(resolveVariable);
  return [given === '' ? { Ref: CREATED_TOPIC_ID } : given];
}

/** `{ Resources }` with the created topic, or with nothing when the stage names its own. */
async function topicResources({ resolveVariable }) {
  if ((await givenTopicArn(resolveVariable)) !== '') return { Resources: {} };
  const stage = await resolveVariable('sls:stage');
  const service = await resolveVariable('self:service');
  return {
    Resources: {
      [CREATED_TOPIC_ID]: { Type: 'AWS::SNS::Topic', Properties: { TopicName: `${service}-${stage}-alarms`, DisplayName: `${service} ${stage} alarms` } },
    },
    Outputs: { AlarmTopicArn: { Description: 'Subscribe to this topic to receive the alarms', Value: { Ref: CREATED_TOPIC_ID } } },
  };
}

module.exports = { alarmActions, topicResources };
