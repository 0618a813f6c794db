/**
 * State an emulator keeps beside the shared engine (amended order ids, held stop orders, convert
 * quotes): one value per engine, made on first use. Keyed weakly, so a closed sandbox's engine
 * and its state go together and two sandboxes in one process never share any.
 */
import type { Engine } from './engine.js';

export function perEngine<T>(make: () => T): (engine: Engine) => T {
  const states = new WeakMap<Engine, T>();
  return (engine) => {
    let state = states.get(engine);
    if (state === undefined) {
      state = make();
      states.set(engine, state);
    }
    return state;
  };
}
