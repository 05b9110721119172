/** The network as the API edge sees it. */
import Type, { type Static } from 'typebox';

export const NetworkView = Type.Object(
  {
    network_id: Type.String(),
    log_head: Type.Integer({ minimum: -1 }),
    current_epoch: Type.Integer({ minimum: 0 }),
    masters: Type.Array(
      Type.Object(
        { node_id: Type.String(), public_key: Type.String(), log_position: Type.Integer() },
        { additionalProperties: false },
      ),
    ),
    enterprise_nodes: Type.Array(
      Type.Object(
        {
          node_id: Type.String(),
          public_key: Type.String(),
          vault_ids: Type.Array(Type.String()),
          enclaves: Type.Optional(
            Type.Array(
              Type.Object(
                {
                  provider: Type.String({ description: '`simulated`, `sgx` or `tdx`.' }),
                  measurement: Type.String(),
                  simulated: Type.Boolean({ description: 'True for a software enclave: no hardware root of trust.' }),
                },
                { additionalProperties: false },
              ),
              { description: 'The enclaves the node registered (provider, code measurement).' },
            ),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    semantic_domains: Type.Array(Type.String({ description: 'domain@version' })),
    policy_version: Type.Integer(),
  },
  { additionalProperties: false },
);
export type NetworkView = Static<typeof NetworkView>;

export const Health = Type.Object(
  {
    status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
    log_head: Type.Integer(),
    checks: Type.Record(Type.String(), Type.Union([Type.Literal('ok'), Type.Literal('failing')])),
  },
  { additionalProperties: false },
);
export type Health = Static<typeof Health>;
