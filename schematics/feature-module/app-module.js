// @ts-check
import ts from 'typescript';

/**
 * Registers a module in the root module: an import declaration among the others (kept in path
 * order) and an entry at the end of `@Module({ imports: [...] })`. Found through the TypeScript
 * AST, so comments, formatting and the order of the file's other parts do not matter.
 *
 * @param {string} source the root module's text
 * @param {{ className: string, importPath: string }} module
 * @returns {string} the new text
 */
export function addModuleImport(source, { className, importPath }) {
  const file = ts.createSourceFile('app.module.ts', source, ts.ScriptTarget.Latest, true);
  const imports = file.statements.filter(ts.isImportDeclaration);
  if (imports.some((declaration) => importedNames(declaration).includes(className))) {
    throw new Error(`The root module imports ${className} already`);
  }
  const list = moduleImportsArray(file);
  /** @type {{ at: number, text: string }[]} */
  const edits = [];
  const last = list.elements.at(-1);
  if (last) edits.push({ at: last.getEnd(), text: `,\n    ${className}` });
  else edits.push({ at: list.getStart() + 1, text: `\n    ${className},\n  ` });

  const declaration = `import { ${className} } from '${importPath}';\n`;
  const next = imports.find((existing) => specifierOf(existing).startsWith('.') && specifierOf(existing) > importPath);
  if (next) edits.push({ at: next.getStart(), text: declaration });
  else if (imports.length > 0)
    edits.push({ at: imports[imports.length - 1].getEnd(), text: `\n${declaration.trimEnd()}` });
  else edits.push({ at: 0, text: declaration });

  // From the end backwards, so the earlier offsets stay valid.
  return edits
    .sort((a, b) => b.at - a.at)
    .reduce((text, edit) => text.slice(0, edit.at) + edit.text + text.slice(edit.at), source);
}

/** @param {ts.ImportDeclaration} declaration */
function specifierOf(declaration) {
  return ts.isStringLiteral(declaration.moduleSpecifier) ? declaration.moduleSpecifier.text : '';
}

/** @param {ts.ImportDeclaration} declaration */
function importedNames(declaration) {
  const bindings = declaration.importClause?.namedBindings;
  return bindings && ts.isNamedImports(bindings) ? bindings.elements.map((element) => element.name.text) : [];
}

/**
 * The `imports` array of the first class decorated with `@Module({...})`.
 * @param {ts.SourceFile} file
 * @returns {ts.ArrayLiteralExpression}
 */
function moduleImportsArray(file) {
  for (const statement of file.statements) {
    if (!ts.isClassDeclaration(statement)) continue;
    for (const decorator of ts.getDecorators(statement) ?? []) {
      const call = decorator.expression;
      if (!ts.isCallExpression(call) || !ts.isIdentifier(call.expression) || call.expression.text !== 'Module')
        continue;
      const [metadata] = call.arguments;
      if (!metadata || !ts.isObjectLiteralExpression(metadata)) break;
      const property = metadata.properties.find(
        (candidate) =>
          ts.isPropertyAssignment(candidate) && ts.isIdentifier(candidate.name) && candidate.name.text === 'imports',
      );
      if (property && ts.isPropertyAssignment(property) && ts.isArrayLiteralExpression(property.initializer))
        return property.initializer;
    }
  }
  throw new Error('No @Module({ imports: [...] }) found in the root module');
}
