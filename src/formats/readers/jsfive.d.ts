// Types for the parts of jsfive (a pure-JS HDF5 reader, no bundled typings) that readers/hdf5.ts uses.
// Only hdf5.ts imports jsfive; everything else goes through its typed wrapper.

declare module 'jsfive' {
  export class Group {
    readonly name: string;
    readonly keys: string[];
    readonly attrs: Record<string, unknown>;
    /** Link name -> object address (hard link) or target path (soft link). */
    readonly _links: Record<string, number | string>;
    get(path: string): Group | Dataset | null;
  }
  export class File extends Group {
    constructor(buffer: ArrayBuffer, filename?: string);
  }
  export class Dataset {
    readonly name: string;
    readonly shape: number[];
    readonly dtype: unknown;
    readonly value: unknown;
    readonly attrs: Record<string, unknown>;
  }
}
