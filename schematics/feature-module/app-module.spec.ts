import { addModuleImport } from './app-module.js';

const ROOT_MODULE = `import { Module } from '@nestjs/common';
import { ConfigModule } from './config/config.module.js';
import { ItemsModule } from './modules/items/items.module.js';
import { UsersModule } from './modules/users/users.module.js';

// The root module.
@Module({
  imports: [
    ConfigModule, // first
    ItemsModule,
    UsersModule
  ],
})
export class AppModule {}
`;

describe('feature-module registration in AppModule', () => {
  const gadgets = { className: 'GadgetsModule', importPath: './modules/gadgets/gadgets.module.js' };

  it('adds the import in path order and the module at the end of the imports array', () => {
    const result = addModuleImport(ROOT_MODULE, gadgets);
    expect(result).toContain(
      "import { ConfigModule } from './config/config.module.js';\nimport { GadgetsModule } from './modules/gadgets/gadgets.module.js';\nimport { ItemsModule }",
    );
    expect(result).toContain('    UsersModule,\n    GadgetsModule\n  ],');
    expect(result).toContain('ConfigModule, // first');
  });

  it('fills an empty imports array', () => {
    const result = addModuleImport(
      "import { Module } from '@nestjs/common';\n\n@Module({ imports: [] })\nexport class AppModule {}\n",
      gadgets,
    );
    expect(result).toMatch(/imports: \[\s*GadgetsModule,\s*\]/);
    expect(result).toContain(
      "import { Module } from '@nestjs/common';\nimport { GadgetsModule } from './modules/gadgets/gadgets.module.js';",
    );
  });

  it('refuses to register a module twice, or a file without @Module({ imports })', () => {
    expect(() => addModuleImport(addModuleImport(ROOT_MODULE, gadgets), gadgets)).toThrow(/already/);
    expect(() => addModuleImport('export class AppModule {}\n', gadgets)).toThrow(/No @Module/);
  });
});
