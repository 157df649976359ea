// Raw bpmn-engine in memory: the ceiling the durable runtime is measured against (issue 12, "Acceptance").
// One diagram path run over and over by `concurrency` loops in a fresh process (forked, so neither the app nor the
// harness shares its heap or event loop), each loop starting its next instance when the last one reached `until`
// (an element the instance waits at) or its end. The engine is the product's, with the product's options
// (src/workflow/engine/: the diagram parsed once by its cache and shared as `sourceContext`, its expressions, durable
// timers, quiet logger); the service behaviour is bound per task type through an extension as the runtime binds it,
// but the handlers are trivial and in memory: they answer on the next microtask (no database).
// Usage from a bench: `await rawEngineRate({ xml, outputs, until, concurrency, seconds })`.
import { fork } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

/** Runs the measurement in a child process and returns `{ perS, instances, seconds, cpuMsPerInstance }`. */
export function rawEngineRate(options) {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--raw-engine'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (reply) => {
      child.disconnect();
      if (reply.error) reject(new Error(`raw engine: ${reply.error}`));
      else resolve(reply);
    });
    child.once('exit', (code) => code && reject(new Error(`raw engine process exited with ${code}`)));
    child.send(options);
  });
}

/**
 * The product's engine set-up, from the build (dist/): the engine class and the options every engine of the runtime
 * runs with (src/workflow/engine/engine-adapter.ts: safe expressions, durable timers, the quiet logger), its diagram
 * cache (parsed once, `serialize` silenced), and how it reads a service task's type. If a refactoring moves them, this
 * is the one place to follow it.
 */
function productEngineParts() {
  const load = (path) => {
    try {
      return require(path);
    } catch (error) {
      throw new Error(`the product's engine set-up is not where bench/lib/raw-engine.mjs looks for it (${path}): ${error.message}`);
    }
  };
  const { BpmnEngine, safeExpressions, durableTimers, engineLogger } = load('../../dist/src/workflow/engine/engine-adapter.js');
  const { parsedDiagram } = load('../../dist/src/workflow/engine/diagram-cache.js');
  const { taskTypeOf } = load('../../dist/src/workflow/bpmn/moddle-extensions.js');
  for (const [name, part] of Object.entries({ BpmnEngine, safeExpressions, durableTimers, engineLogger, parsedDiagram, taskTypeOf })) {
    if (!part) throw new Error(`the build no longer exports ${name} where bench/lib/raw-engine.mjs looks for it`);
  }
  return { BpmnEngine, safeExpressions, durableTimers, engineLogger, parsedDiagram, taskTypeOf };
}

async function measure({ xml, outputs, until, concurrency, seconds, warmupSeconds = 1, warmupInstances = 100, startVariables = {} }) {
  const { BpmnEngine, safeExpressions, durableTimers, engineLogger, parsedDiagram, taskTypeOf } = productEngineParts();
  const sourceContext = await parsedDiagram(undefined, xml);

  let sequence = 0;
  const runOne = () =>
    new Promise((resolve, reject) => {
      const variables = { ...startVariables };
      const extensions = {
        trivialServices(activity) {
          if (activity.type !== 'bpmn:ServiceTask' && activity.type !== 'bpmn:SendTask') return;
          const type = taskTypeOf(activity.behaviour);
          activity.behaviour.Service = function TrivialService() {
            return {
              execute(_message, callback) {
                const output = outputs[type] ?? {};
                // an async handler that does no I/O: it answers on the next microtask
                Promise.resolve().then(() => {
                  Object.assign(variables, output);
                  callback(null, output);
                });
              },
            };
          };
        },
      };
      const engine = new BpmnEngine({
        name: `raw-${++sequence}`,
        sourceContext,
        extensions,
        expressions: safeExpressions(variables),
        timers: durableTimers(),
        ...engineLogger,
      });
      const listener = new EventEmitter();
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        // what a step must do at its wait: the engine's state (the product saves it), then the engine is dropped
        engine
          .getState()
          .then(() => {
            engine.stop();
            resolve();
          })
          .catch(reject);
      };
      // a wait anywhere else means the path went another way (a condition resolved differently): the measurement is void
      const elsewhere = (api) => reject(new Error(`the instance waits at ${api.id}, not at ${until ?? 'its end'}: check the handlers' outputs and the expression evaluator`));
      listener.on('activity.wait', (api) => (api.id === until ? finish() : elsewhere(api)));
      listener.on('activity.timer', elsewhere);
      engine.once('end', finish);
      engine.once('error', reject);
      engine.execute({ listener }).catch(reject);
    });

  /** Runs instances for `ms`, and at least `minimum` of them; returns how many ran. */
  const runFor = async (ms, minimum = 0) => {
    let count = 0;
    const end = Date.now() + ms;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (Date.now() < end || count < minimum) {
          await runOne();
          count++;
        }
      }),
    );
    return count;
  };
  // warm until the JIT has seen enough instances, however little CPU this process gets on a busy machine
  await runFor(warmupSeconds * 1000, warmupInstances);
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  const instances = await runFor(seconds * 1000);
  const wallS = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { perS: instances / wallS, instances, seconds: wallS, cpuMsPerInstance: (cpu.user + cpu.system) / 1000 / instances, concurrency };
}

if (process.argv[2] === '--raw-engine') {
  process.once('message', async (options) => {
    let reply;
    try {
      reply = await measure(options);
    } catch (error) {
      reply = { error: String(error?.stack ?? error) };
    }
    process.send(reply, () => process.exit(0)); // engines still running after an error end with the process
  });
}
