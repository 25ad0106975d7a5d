// jixiao's 绩效 ribbon tab (overrides xlwings Server's static/js/ribbon.js): each button runs the script
// of the same name as the task pane does, with the sheets the script declares (custom-scripts-meta).
(function () {
  const scripts = {
    "jx-validate": "validate",
    "jx-clear-marks": "clear_marks",
    "jx-refresh-totals": "refresh_totals",
    "jx-add-project": "add_project",
  };
  let meta = null;
  async function scriptMeta(name) {
    if (meta === null) {
      const base = JSON.parse(document.getElementById("config").textContent).appPath || "";
      meta = await (await fetch(base + "/xlwings/custom-scripts-meta.json")).json();
    }
    return meta.find((m) => m.function_name === name) || {};
  }
  for (const [id, name] of Object.entries(scripts)) {
    Office.actions.associate(id, async (event) => {
      try {
        const auth = await globalThis.getAuth();
        const m = await scriptMeta(name);
        await xlwings.runPython({
          auth: auth.token,
          scriptName: name,
          include: m.include || "",
          exclude: m.exclude || "",
          headers: { "Auth-Provider": auth.provider },
        });
      } finally {
        event.completed();
      }
    });
  }
})();
