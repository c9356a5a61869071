// The progress of a background job (an import, an export, a zonal statistics run): polls the
// job's status URL (`data-status-url`, answering {progress, note, status_label, finished}),
// shows it in the box's <progress> and .progress-note, and reloads the page when the job is
// done (the page then shows its result). Without JavaScript the pages refresh themselves.

export async function pollJob(box) {
  const bar = box.querySelector("progress");
  const note = box.querySelector(".progress-note");
  const every = Number(box.dataset.interval) || 1000;
  for (;;) {
    try {
      const res = await fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" } });
      if (res.ok) {
        const job = await res.json();
        if (bar) bar.value = Math.round(job.progress * 100);
        if (note) note.textContent = job.note || job.status_label;
        if (job.finished) {
          window.location.reload();
          return;
        }
      }
    } catch (networkError) {
      // a dropped connection: try again at the next tick
    }
    await new Promise((resolve) => setTimeout(resolve, every));
  }
}
