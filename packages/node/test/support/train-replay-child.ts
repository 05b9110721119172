/**
 * Runs one Train task on a fresh embedded network in this process and prints its model hashes,
 * for the replay test: `node --import tsx train-replay-child.ts SEED_HEX MODEL`. Everything is
 * new in each run (database, keys, enclaves, aggregation session keys, ingestion salts); only the
 * data and the task's spec are the same. Prints one JSON line.
 */
import { openTestPglite } from './pglite.ts';
import { IID_VAULTS, openTrainNetwork, penguinTrainSpec, trainRequest } from './train-network.ts';
import { waitFor } from './wait.ts';

const [seed, model] = process.argv.slice(2);
if (!seed || (model !== 'logistic_regression' && model !== 'mlp'))
  throw new Error('usage: train-replay-child.ts SEED_HEX logistic_regression|mlp');

const store = await openTestPglite();
const net = await openTrainNetwork(store, { vaults: IID_VAULTS });
const spec = penguinTrainSpec({
  model,
  seed,
  hyperparameters: { rounds: 5, local_epochs: 1, learning_rate: '0.3', batch_size: 16, hidden_units: 4 },
});
const { task } = await net.coordinator.service.submitTask(trainRequest(IID_VAULTS, spec));
const state = () => net.coordinator.follower.state;
await waitFor(
  () => ['awaiting_settlement', 'rejected'].includes(state().tasks[task.task_id]?.state ?? ''),
  'trained',
  120_000,
);
const output = (await net.coordinator.service.taskResult(task.task_id)) as {
  output: {
    model: { model_hash: string };
    standardization: { standardization_hash: string };
    training: { rounds: { model_hash: string }[] };
  };
};
const result = {
  pid: process.pid,
  state: state().tasks[task.task_id]!.state,
  model_hash: output.output.model.model_hash,
  standardization_hash: output.output.standardization.standardization_hash,
  round_hashes: output.output.training.rounds.map((r) => r.model_hash),
  logged_round_hashes: Object.values(state().train_rounds ?? {})
    .filter((r) => r.task_id === task.task_id)
    .sort((a, b) => a.round - b.round)
    .map((r) => r.model_hash),
};
await net.close();
await store.close();
console.log(JSON.stringify(result));
