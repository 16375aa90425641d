/** The CT volume the engine consumes (defined in lib/ so the viewer can build one without importing ai/). */
export { buildVolume, VolumeError, type SliceInput, type Volume } from '../../lib/volume';
