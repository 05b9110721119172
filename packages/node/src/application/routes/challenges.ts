/** Challenge routes: open (any staked actor, with bond and evidence), list, show, replay bundle, approve. */
import {
  ChallengeDetail,
  ChallengeList,
  ChallengeListQuery,
  ChallengeReplayBundle,
  ChallengeView,
  OpenChallengeRequest,
  ReopenChallengeRequest,
} from '@symphony/api';
import { ChallengeId } from '@symphony/protocol';
import Type from 'typebox';
import type { ChallengeApi } from '../challenge-api.ts';
import { errorResponses } from '../error-responses.ts';
import { ApiFailure, type MasterApi } from '../master-api.ts';
import { callerOf } from '../request-auth.ts';
import { described } from '../response-schemas.ts';
import type { ApiApp } from './api-app.ts';
import { NoQuery } from './shared-schemas.ts';

const ChallengeIdParams = Type.Object({ challengeId: ChallengeId }, { additionalProperties: false });
const tags = ['challenges'];

function challengesOf(api: MasterApi): ChallengeApi {
  if (!api.challenges) throw new ApiFailure('unavailable', 'This edge does not serve challenges.');
  return api.challenges;
}

/** Registers the `/v1/challenges` routes. */
export function registerChallengeRoutes(app: ApiApp, api: MasterApi): void {
  app.post(
    '/v1/challenges',
    {
      schema: {
        operationId: 'openChallenge',
        summary: 'Challenge a task result or an epoch settlement',
        description:
          'Any staked actor posts a bond and evidence (conflicting signed receipt, a replay with another output, a ' +
          "released group under k_min, a master's wrong or equivocating signatures). The evidence is stored and " +
          'linked; `challenge_opened` carries its hash. Adjudication then replays it and decides.',
        tags,
        querystring: NoQuery,
        body: OpenChallengeRequest,
        response: {
          201: described(ChallengeDetail, 'The opened challenge and its stored evidence.'),
          ...errorResponses('body_too_large', 'challenge_refused', 'invalid_evidence'),
        },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      return reply.code(201).send(await challengesOf(api).open(request.body, caller));
    },
  );

  app.get(
    '/v1/challenges',
    {
      schema: {
        operationId: 'listChallenges',
        summary: 'List challenges',
        tags,
        querystring: ChallengeListQuery,
        response: { 200: described(ChallengeList, 'Matching challenges, in opening order.'), ...errorResponses() },
      },
    },
    async (request) => challengesOf(api).list(request.query),
  );

  app.get(
    '/v1/challenges/:challengeId',
    {
      schema: {
        operationId: 'getChallenge',
        summary: 'A challenge with its evidence, findings and adjudication',
        tags,
        params: ChallengeIdParams,
        querystring: NoQuery,
        response: { 200: described(ChallengeDetail, 'The challenge.'), ...errorResponses('not_found') },
      },
    },
    async (request) => {
      const detail = await challengesOf(api).get(request.params.challengeId);
      if (!detail) throw new ApiFailure('not_found', `No challenge ${request.params.challengeId}.`);
      return detail;
    },
  );

  app.get(
    '/v1/challenges/:challengeId/replay',
    {
      schema: {
        operationId: 'getChallengeReplay',
        summary: 'What a fresh process needs to replay a decided challenge',
        description:
          'The protocol log, the evidence under review and the findings; `symphony challenge replay` folds it.',
        tags,
        params: ChallengeIdParams,
        querystring: NoQuery,
        response: { 200: described(ChallengeReplayBundle, 'The replay bundle.'), ...errorResponses('not_found') },
      },
    },
    async (request) => {
      const bundle = await challengesOf(api).replayBundle(request.params.challengeId);
      if (!bundle)
        throw new ApiFailure('not_found', `No decided challenge ${request.params.challengeId} with evidence.`);
      return bundle;
    },
  );

  app.post(
    '/v1/challenges/:challengeId/evidence',
    {
      schema: {
        operationId: 'reopenChallenge',
        summary: 'Reopen a challenge with new evidence',
        description:
          'Only for a challenge that closed without penalty, inside the challenge window, by its challenger; ' +
          '`challenge_reopened` carries the new evidence hash and adjudication reviews it again.',
        tags,
        params: ChallengeIdParams,
        querystring: NoQuery,
        body: ReopenChallengeRequest,
        response: {
          200: described(ChallengeDetail, 'The reopened challenge with all its evidence.'),
          ...errorResponses('body_too_large', 'not_found', 'challenge_refused', 'invalid_evidence'),
        },
      },
    },
    async (request) => challengesOf(api).reopen(request.params.challengeId, request.body, callerOf(request)),
  );

  app.post(
    '/v1/challenges/:challengeId/approve',
    {
      schema: {
        operationId: 'approveChallenge',
        summary: 'Governance approves a confirmed challenge',
        description: 'Needed before the penalty when the policy in force says `challenge_requires_approval`.',
        tags,
        params: ChallengeIdParams,
        querystring: NoQuery,
        response: {
          200: described(ChallengeView, 'The approved challenge.'),
          ...errorResponses('not_found', 'challenge_refused'),
        },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      return challengesOf(api).approve(request.params.challengeId, caller?.actor_id ?? 'act_governance');
    },
  );
}
