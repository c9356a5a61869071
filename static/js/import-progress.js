// Progress page of an import: shows the report when it is done (job-progress.js).
import { pollJob } from "./job-progress.js";

const box = document.getElementById("import-progress");
if (box) pollJob(box);
