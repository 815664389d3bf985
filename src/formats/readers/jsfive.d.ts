// Types for the parts of jsfive (a pure-JS HDF5 reader, no bundled typings) that readers/hdf5.ts uses.
// Only hdf5.ts imports jsfive; everything else goes through its typed wrapper. The `_`-prefixed members are
// jsfive internals (stable since 0.3) that hdf5.ts reads to check a dataset's storage before jsfive reads it.

declare module 'jsfive' {
  /** jsfive's parsed object header. */
  export interface DataObjects {
    /** File offset of the object header (the object's identity for hard links). */
    readonly offset: number;
    /** Messages of one type; each carries its 'offset_to_message' in the file. */
    find_msg_type(type: number): Map<string, number>[];
    /** The filter pipeline (compression, shuffle, checksums), or null when the data is not filtered. */
    readonly filter_pipeline: unknown[] | null;
    /** Chunk dims of a chunked dataset (without the element-size dim), or null. */
    readonly chunks: number[] | null;
  }
  export class Group {
    readonly name: string;
    readonly keys: string[];
    readonly attrs: Record<string, unknown>;
    /** Link name -> object address (hard link) or target path (soft link). */
    readonly _links: Record<string, number | string>;
    readonly _dataobjects: DataObjects;
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
    readonly _dataobjects: DataObjects;
  }
}
