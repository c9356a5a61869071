// Page of a background export: reloads when the file is ready (the page then shows the download
// link; job-progress.js).
import { pollJob } from "./job-progress.js";

const box = document.getElementById("export-job");
if (box && box.dataset.finished !== "1") pollJob(box);
