// @ts-check
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { strings } from '@angular-devkit/core';
import {
  apply,
  applyTemplates,
  chain,
  filter,
  MergeStrategy,
  mergeWith,
  SchematicsException,
  url,
} from '@angular-devkit/schematics';
import * as prettier from 'prettier';
import { addModuleImport } from './app-module.js';
import { parseFields } from './fields.js';
import { singularOf } from './names.js';

/**
 * @typedef {object} FeatureModuleOptions
 * @property {string} name    the resource in the plural, kebab-case (purchase-orders)
 * @property {string} fields  the field list (see fields.js)
 * @property {string} [singular]
 * @property {boolean} [owner] each row belongs to the user who created it (the default); false: rows every user sees
 * @property {'owner' | 'shared' | 'organization'} [scope] whose rows they are: the creator's (owner, the
 *   default), everyone's (shared, as owner: false), or an organization's, under its members' roles
 */

/** What an organization-scoped module writes instead of files/ (files-organization/ has them). */
const ORGANIZATION_OVERRIDES = [
  '__plural__.service.ts.template',
  '__plural__.service.spec.ts.template',
  '__plural__.controller.ts.template',
  '__plural__.module.ts.template',
];

const APP_MODULE = 'src/app.module.ts';
const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/**
 * A migration timestamp after every existing one, so that TypeORM runs it last even when this
 * machine's clock is behind the one that wrote the newest migration.
 * @param {string} root
 */
function migrationTimestamp(root) {
  const existing = readdirSync(join(root, 'migrations'))
    .map((file) => Number(/^(\d{13})-/.exec(file)?.[1] ?? 0))
    .reduce((a, b) => Math.max(a, b), 0);
  return Math.max(Date.now(), existing + 1);
}

/** @param {FeatureModuleOptions} options */
function templateContext(options) {
  const plural = strings.dasherize(options.name);
  if (!NAME.test(plural))
    throw new SchematicsException(`"${options.name}" is not a kebab-case name such as purchase-orders`);
  const singular = strings.dasherize(options.singular ?? singularOf(plural));
  if (singular === plural)
    throw new SchematicsException(`The singular and the plural are both "${plural}": give a plural name`);
  const fields = parseFields(options.fields ?? '');
  const humanSingular = singular.replace(/-/g, ' ');
  const humanPlural = plural.replace(/-/g, ' ');
  const Plural = strings.classify(plural);
  const timestamp = migrationTimestamp(process.cwd());
  const scope = options.scope ?? (options.owner === false ? 'shared' : 'owner');
  if (!['owner', 'shared', 'organization'].includes(scope))
    throw new SchematicsException(`"${scope}" is not a scope: owner, shared or organization`);
  const owned = scope === 'owner';
  const organization = scope === 'organization';
  return {
    scope,
    owned,
    organization,
    // The service's methods and the controller's arguments: shared data has no caller to check.
    listMethod: owned ? 'listVisible' : 'list',
    findMethod: owned ? 'findVisible' : 'find',
    callerParam: owned ? '@CurrentUser() caller: User, ' : '',
    callerParamSvc: owned ? 'caller: User, ' : '',
    callerArg: owned ? 'caller, ' : '',
    plural,
    singular,
    Plural,
    Entity: strings.classify(singular),
    table: strings.underscore(plural),
    entityVar: strings.camelize(singular),
    repoVar: strings.camelize(plural),
    humanSingular,
    humanPlural,
    HumanSingular: strings.capitalize(humanSingular),
    HumanPlural: strings.capitalize(humanPlural),
    article: /^[aeiou]/.test(humanSingular) ? 'an' : 'a',
    fields,
    requiredFields: fields.filter((field) => !field.nullable),
    nullableFields: fields.filter((field) => field.nullable),
    responseKeys: [
      'id',
      ...(owned ? ['owner_id'] : []),
      ...(organization ? ['organization_id'] : []),
      'created_at',
      'updated_at',
      ...fields.map((field) => field.json),
    ].sort(),
    createImports: [...new Set(fields.map((field) => field.fieldImport))].sort().join(', '),
    hasDecimal: fields.some((field) => field.type === 'decimal'),
    /** @type {(field: import('./fields.js').Field, index: 0 | 1) => string} a sample as the DTO holds it */
    dtoValue: (field, index) =>
      field.type === 'datetime' ? `new Date(${field.samples[index]})` : field.samples[index],
    migrationClass: `Create${Plural}${timestamp}`,
    migrationFile: `${timestamp}-Create${Plural}`,
  };
}

/**
 * Registers the module in the root module.
 * @param {{ Plural: string, plural: string }} context
 * @returns {import('@angular-devkit/schematics').Rule}
 */
function registerModule({ Plural, plural }) {
  return (tree) => {
    const source = tree.readText(APP_MODULE);
    tree.overwrite(
      APP_MODULE,
      addModuleImport(source, { className: `${Plural}Module`, importPath: `./modules/${plural}/${plural}.module.js` }),
    );
  };
}

/**
 * Formats every written TypeScript file with the project's Prettier settings, so the output
 * passes `npm run lint` whatever the field list made the lines.
 * @returns {import('@angular-devkit/schematics').Rule}
 */
function formatWritten() {
  return async (tree) => {
    const paths = tree.actions
      .filter((action) => action.kind !== 'd' && action.path.endsWith('.ts'))
      .map((action) => action.path.replace(/^\//, ''));
    for (const path of new Set(paths)) {
      const filepath = join(process.cwd(), path);
      const config = (await prettier.resolveConfig(filepath)) ?? {};
      tree.overwrite(path, await prettier.format(tree.readText(path), { ...config, filepath }));
    }
  };
}

/**
 * `feature-module`: an owner-scoped CRUD module like src/modules/items (or one of shared rows, or
 * of an organization's rows), from a name and a field list, registered in the root module, with
 * its migration, unit spec and e2e spec.
 * @param {FeatureModuleOptions} options
 * @returns {import('@angular-devkit/schematics').Rule}
 */
export function featureModule(options) {
  return (tree) => {
    if (!tree.exists(APP_MODULE))
      throw new SchematicsException(`Run this in the project root: ${APP_MODULE} is not here`);
    const context = templateContext(options);
    if (tree.getDir(`src/modules/${context.plural}`).subfiles.length > 0) {
      throw new SchematicsException(`src/modules/${context.plural} exists already`);
    }
    // files/ for every module, files-<scope>/ for what differs beyond a line or two.
    const common = apply(url('./files'), [
      filter((path) => !context.organization || !ORGANIZATION_OVERRIDES.some((name) => path.endsWith(`/${name}`))),
      applyTemplates(context),
    ]);
    const scoped = apply(url(`./files-${context.owned ? 'owned' : context.scope}`), [applyTemplates(context)]);
    const written = [common, scoped].map((source) => mergeWith(source, MergeStrategy.Error));
    return chain([...written, registerModule(context), formatWritten()]);
  };
}
