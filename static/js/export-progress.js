// Page of a background export: polls its status and reloads when the file is ready (the page
// then shows the download link). Without JavaScript the page refreshes itself (<noscript>).

const box = document.getElementById("export-job");
if (box && box.dataset.finished !== "1") poll(box);

async function poll(box) {
  const bar = box.querySelector("progress");
  const note = box.querySelector(".progress-note");
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
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
