// The field page's records and photos, kept in IndexedDB until the server has them. Nothing is
// deleted here except by an explicit call (the officer discarding a record, or clearing the
// records already sent): a record the page could not send is never dropped.
//
// records: { uid, userId, layer, state: "pending"|"sent"|"refused", feature: {geometry,
//            properties}, label, position: {source, accuracy}, photoUids, serverId, reason,
//            notices, createdAt, updatedAt, sentAt }
// photos:  { uid, recordUid, blob, name, takenAt, state: "pending"|"sent"|"refused",
//            serverId, reason }

const DB_NAME = "sig-field";
const DB_VERSION = 1;

let opening = null;

function open() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        if (!db.objectStoreNames.contains("records")) {
          db.createObjectStore("records", { keyPath: "uid" }).createIndex("state", "state");
        }
        if (!db.objectStoreNames.contains("photos")) {
          db.createObjectStore("photos", { keyPath: "uid" }).createIndex("record", "recordUid");
        }
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  return opening;
}

function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error("aborted"));
  });
}

function result(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

// A record and its photos in one transaction: both are kept, or neither.
export async function saveRecord(record, photos = []) {
  const db = await open();
  const tx = db.transaction(["records", "photos"], "readwrite");
  tx.objectStore("records").put(record);
  for (const photo of photos) tx.objectStore("photos").put(photo);
  await done(tx);
  return record;
}

export async function putRecord(record) {
  const db = await open();
  const tx = db.transaction("records", "readwrite");
  tx.objectStore("records").put(record);
  await done(tx);
}

export async function putPhoto(photo) {
  const db = await open();
  const tx = db.transaction("photos", "readwrite");
  tx.objectStore("photos").put(photo);
  await done(tx);
}

export async function getRecord(uid) {
  const db = await open();
  return result(db.transaction("records").objectStore("records").get(uid));
}

export async function allRecords() {
  const db = await open();
  const records = await result(db.transaction("records").objectStore("records").getAll());
  return records.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

export async function photosOf(recordUid) {
  const db = await open();
  const index = db.transaction("photos").objectStore("photos").index("record");
  return result(index.getAll(recordUid));
}

// Photos without their image data (for lists): one cursor, no blobs copied to the page.
export async function photoCounts() {
  const db = await open();
  const counts = new Map();
  const index = db.transaction("photos").objectStore("photos").index("record");
  await new Promise((resolve, reject) => {
    const cursor = index.openKeyCursor();
    cursor.onsuccess = () => {
      const c = cursor.result;
      if (!c) { resolve(); return; }
      counts.set(c.key, (counts.get(c.key) || 0) + 1);
      c.continue();
    };
    cursor.onerror = () => reject(cursor.error);
  });
  return counts;
}

export async function deleteRecord(uid) {
  const db = await open();
  const photos = await photosOf(uid);
  const tx = db.transaction(["records", "photos"], "readwrite");
  tx.objectStore("records").delete(uid);
  for (const photo of photos) tx.objectStore("photos").delete(photo.uid);
  await done(tx);
}

export async function deletePhoto(uid) {
  const db = await open();
  const tx = db.transaction("photos", "readwrite");
  tx.objectStore("photos").delete(uid);
  await done(tx);
}
