// Large and long scenarios shared by the browser tests (memory.test.mjs) and the
// long-run benchmark (bench-long.mjs).

// A quiet three-broker cluster (a producer every ten minutes, a reader, a consumer group)
// for 6.7 simulated hours: about two million steps of fetches and heartbeats.
export const longRun = {
  id: 'long-run', title: { en: 'Two million steps' }, seed: 1, duration_ms: 24_000_000,
  cluster: { brokers: 3 },
  topics: [{ name: 't', partitions: 6, replication_factor: 3 }],
  producers: [{ name: 'app', config: { 'partitioner.class': 'round-robin' } }],
  readers: [{ name: 'reader', topic: 't' }],
  consumers: [{ name: 'c1', group: 'g', topics: ['t'] }],
  timeline: Array.from({ length: 40 }, (_, i) => ({ at_ms: 1000 + 600_000 * i, action: 'produce', producer: 'app', topic: 't', count: 10 })),
};

// The largest cluster the scenario limits allow: 64 brokers, 4,096 partitions, 64 clients.
export const largest = {
  id: 'largest', title: { en: 'The largest cluster' }, seed: 1, duration_ms: 8000,
  cluster: { brokers: 64 }, network: { latency_ms: 5, jitter_ms: 2 },
  topics: Array.from({ length: 8 }, (_, i) => ({ name: `t${i}`, partitions: 512, replication_factor: 3 })),
  producers: Array.from({ length: 32 }, (_, i) => ({ name: `p${i}`, config: { 'linger.ms': 5, acks: 'all' } })),
  consumers: Array.from({ length: 32 }, (_, i) => ({ name: `c${i}`, group: `g${i % 4}`, topics: [`t${i % 8}`] })),
  timeline: Array.from({ length: 600 }, (_, k) => ({ at_ms: 500 + 10 * k, action: 'produce', producer: `p${k % 32}`, topic: `t${k % 8}`, count: 64 })),
};

