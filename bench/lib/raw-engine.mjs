// Raw bpmn-engine in memory: the ceiling the durable runtime is measured against (issue 12, "Acceptance").
// One diagram path run over and over by `concurrency` loops in a fresh process (forked, so neither the app nor the
// harness shares its heap or event loop), each loop starting its next instance when the last one reached `until`
// (an element the instance waits at) or its end. The engine gets what the product gives it (src/workflow/engine-step.ts):
// the diagram parsed once and shared as `sourceContext`, the service behaviour bound per oms:taskType through an
// extension, the product's expression evaluator for conditions, timers that are never armed in memory, a silent logger.
// Only the service tasks differ: trivial in-memory handlers that answer on the next microtask (no database).
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
 * The product's pieces the engine is configured with, from the build (dist/). If a refactoring moves them, this is the
 * one place to follow it: the options must stay those of the product's engine step.
 */
function productEngineParts() {
  const { Engine } = require('bpmn-engine');
  const { Timers } = require('bpmn-elements');
  const { moddleExtensions, taskTypeOf } = require('../../dist/src/workflow/bpmn/moddle-extensions.js');
  const resolveExpression = productExpressionResolver();
  return { Engine, Timers, moddleExtensions, taskTypeOf, resolveExpression };
}

/** `(expression, variables) => value` as the product's engine step resolves `${...}` / `=...` expressions. */
function productExpressionResolver() {
  const candidates = [
    // FEEL through feelin (issue 12 item 5): what the engine step's resolveExpression calls for a text of the diagram
    ['../../dist/src/workflow/expressions/diagram-expression.js', (m) => m.resolveText && ((text, variables) => (typeof text === 'string' ? m.resolveText(text, variables) : text))],
    // should the engine step export its `expressions` option itself
    ['../../dist/src/workflow/engine-step.js', (m) => m.safeExpressions && ((source, variables) => m.safeExpressions(variables).resolveExpression(source))],
    // before FEEL: the hand-written language, wrapped as engine-step.ts wrapped it
    [
      '../../dist/src/workflow/expressions/expression.js',
      (m) =>
        m.evaluateExpression &&
        ((expression, variables) => {
          const evaluate = (source) => m.evaluateExpression(m.normaliseExpressionSource(source), variables);
          if (typeof expression !== 'string') return expression;
          const trimmed = expression.trim();
          if (trimmed.startsWith('=') || /^\$\{[\s\S]*\}$/.test(trimmed)) return evaluate(trimmed);
          if (!trimmed.includes('${')) return expression;
          return expression.replace(/\$\{([^}]*)\}/g, (_, inner) => String(evaluate(inner) ?? ''));
        }),
    ],
  ];
  for (const [path, adapt] of candidates) {
    let loaded;
    try {
      loaded = require(path);
    } catch {
      continue;
    }
    const resolver = adapt(loaded);
    if (resolver) return resolver;
  }
  throw new Error('the product\'s expression evaluator was not found in dist/: update productExpressionResolver() in bench/lib/raw-engine.mjs');
}

async function measure({ xml, outputs, until, concurrency, seconds, warmupSeconds = 1, startVariables = {} }) {
  const { Engine, Timers, moddleExtensions, taskTypeOf, resolveExpression } = productEngineParts();
  const quietLogger = () => ({ debug: () => undefined, error: () => undefined, warn: () => undefined });
  // the diagram parsed once, as the product's diagram cache does; `serialize` silenced so that no state carries it
  const [definition] = await new Engine({ source: xml, moddleOptions: moddleExtensions, Logger: quietLogger }).getDefinitions();
  const sourceContext = Object.create(definition.context.definitionContext, { serialize: { value: () => undefined } });
  const durableTimers = () => new Timers({ setTimeout: () => ({ durable: true }), clearTimeout: () => undefined });

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
      const engine = new Engine({
        name: `raw-${++sequence}`,
        sourceContext,
        extensions,
        expressions: { resolveExpression: (expression) => resolveExpression(expression, variables) },
        timers: durableTimers(),
        Logger: quietLogger,
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

  const runFor = async (ms) => {
    let count = 0;
    const end = Date.now() + ms;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (Date.now() < end) {
          await runOne();
          count++;
        }
      }),
    );
    return count;
  };
  await runFor(warmupSeconds * 1000);
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
