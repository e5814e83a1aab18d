// Validates Kubernetes manifests offline against the API schemas that kubernetes-models carries (types,
// formats, required fields, enums), and prints the documents as one JSON array for further checks.
//
//   npm ci && node validate.mjs ../deployment.yaml ../service.yaml ...
//
// Exits 1, naming each file, document and path, when a document is not valid or of a kind it does not know.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import { Deployment } from "kubernetes-models/apps/v1";
import { Service } from "kubernetes-models/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { Job } from "kubernetes-models/batch/v1";

const models = {
  "apps/v1 Deployment": Deployment,
  "v1 Service": Service,
  "policy/v1 PodDisruptionBudget": PodDisruptionBudget,
  "autoscaling/v2 HorizontalPodAutoscaler": HorizontalPodAutoscaler,
  "batch/v1 Job": Job,
};

const documents = [];
const problems = [];
for (const file of process.argv.slice(2)) {
  parseAllDocuments(readFileSync(file, "utf8")).forEach((parsed, index) => {
    const where = `${file} document ${index + 1}`;
    if (parsed.errors.length > 0) {
      problems.push(`${where}: ${parsed.errors.map((e) => e.message).join("; ")}`);
      return;
    }
    const object = parsed.toJS();
    if (object === null) {
      return;
    }
    const model = models[`${object.apiVersion} ${object.kind}`];
    if (model === undefined) {
      problems.push(`${where}: ${object.apiVersion} ${object.kind} is not a kind this check knows`);
      return;
    }
    try {
      new model(object).validate();
      documents.push({ file, ...object });
    } catch (e) {
      problems.push(`${where} (${object.kind} ${object.metadata?.name}): ${e.message}`);
    }
  });
}
if (problems.length > 0) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log(JSON.stringify(documents));
