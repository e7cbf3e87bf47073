// Jest resolver: the schema validators of kubernetes-models and @kubernetes-models/* are
// ESM-only packages whose `exports` have an `import` condition and no `require` one, so jest's
// CommonJS resolution finds nothing in them. For those packages only, resolve with the `import`
// condition (test/support/esm-to-cjs.js then compiles the files to CommonJS); everything else
// resolves as jest always does.
'use strict';

/** The ESM-only packages: the validators and what they import (is-cidr for the `cidr` format). */
const ESM_ONLY = /^(kubernetes-models|@kubernetes-models\/[^/]+|is-cidr|cidr-regex)(\/|$)/;

module.exports = (request, options) => (ESM_ONLY.test(request)
  ? options.defaultResolver(request, { ...options, conditions: ['import', 'default'] })
  : options.defaultResolver(request, options));
