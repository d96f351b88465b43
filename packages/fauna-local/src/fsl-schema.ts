/**
 * The FSL reading API of the package (the `fauna-local/fsl` export): the emulator's own FSL parser, offered to tools
 * that need to know what a schema declares without starting an engine. `listFslItems` is the item lister (which
 * collections, functions and roles a set of files declares, and in which file); `parseFslFiles` gives the whole
 * parsed model (roles' privileges and memberships, functions' bodies and roles, collections' fields and indexes).
 * Both refuse FSL the emulator does not support with an FslSyntaxError that names the file, line and column.
 */
import { parseSchemaFile, parseSchemaFiles } from './fsl/parser.ts';
import type { SchemaFile, SchemaItems } from './schema/model.ts';

export { FslSyntaxError } from './fsl/errors.ts';
export type { CollectionDef, FunctionDef, RoleDef, SchemaFile, SchemaItems } from './schema/model.ts';

/** A top-level item an FSL file declares. */
export interface FslItem {
  kind: 'collection' | 'function' | 'role';
  name: string;
  /** The file that declares it, as given. */
  filename: string;
}

/**
 * Every collection, function and role the files declare, file by file in the order given, each file's items by kind.
 * @throws FslSyntaxError for a file the parser refuses.
 */
export function listFslItems(files: readonly SchemaFile[]): FslItem[] {
  return files.flatMap((file) => {
    const items = parseSchemaFile(file);
    return [
      ...items.collections.map((item) => ({ kind: 'collection' as const, name: item.name, filename: file.filename })),
      ...items.functions.map((item) => ({ kind: 'function' as const, name: item.name, filename: file.filename })),
      ...items.roles.map((item) => ({ kind: 'role' as const, name: item.name, filename: file.filename })),
    ];
  });
}

/**
 * The files parsed as one database schema (names unique across them, as Fauna requires).
 * @throws FslSyntaxError for a file the parser refuses, or a name declared twice.
 */
export function parseFslFiles(files: SchemaFile[]): SchemaItems {
  return parseSchemaFiles(files);
}
