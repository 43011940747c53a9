// No framework: the platform object itself (the Node.js implementation's `my`
// or `wx`) through the same loader and adapter as the frameworks' layers, the
// comparison row for each of them.
export const api = typeof my !== 'undefined' ? my : wx;
