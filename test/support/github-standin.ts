/**
 * The GitHub stand-in lives in ./github/ (one file per route family); this module keeps the
 * import path the existing tests use.
 */
export * from './github/index.js';
