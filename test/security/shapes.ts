/** The adversarial shapes, shared with bench/pre-auth.mjs. */
export { type Shape, shapes } from '../../bench/hostile-shapes.mjs';
