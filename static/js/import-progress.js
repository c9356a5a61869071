// Progress page of an import: polls the job's status and shows the report when it is done.
// Without JavaScript the page refreshes itself (<noscript> in the template).

const box = document.getElementById("import-progress");
if (box) poll(box);

async function poll(box) {
  const bar = box.querySelector("progress");
  const note = box.querySelector(".progress-note");
  const every = Number(box.dataset.interval) || 1000;
  for (;;) {
    try {
      const res = await fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" } });
      if (res.ok) {
        const job = await res.json();
        bar.value = Math.round(job.progress * 100);
        note.textContent = job.note || job.status_label;
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
