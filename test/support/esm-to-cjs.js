// Jest transformer for the ESM-only schema validators of kubernetes-models and
// @kubernetes-models/* (devDependencies of the tests): jest runs the tests as CommonJS, so their
// `import`/`export` statements are compiled to `require`/`exports` with the TypeScript compiler
// the project already has. Nothing of the project itself goes through here.
'use strict';
const ts = require('typescript');

module.exports = {
  process(source, filename) {
    const out = ts.transpileModule(source, {
      fileName: filename,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, allowJs: true, esModuleInterop: true },
    });
    return { code: out.outputText };
  },
};
