// jixiao task pane: sign in with the 登录码 at the 报送站's own endpoint, keep the token for getAuth().
(function () {
  // xlwings Server's "did not load" notice (base.html), in the clerk's language
  const notice = document.getElementById("xlwings-office-ready-error");
  if (notice) {
    const text = notice.querySelector(".mb-3");
    if (text) text.textContent = "加载项未能正常加载，请重新加载；仍不行时请联系财政局。";
    const reload = document.getElementById("xlwings-taskpane-reload-btn");
    if (reload) reload.textContent = "重新加载";
    const cancel = document.getElementById("xlwings-taskpane-reload-cancel-btn");
    if (cancel) cancel.textContent = "取消";
  }
  const form = document.getElementById("jx-login");
  const who = document.getElementById("jx-who");
  function show() {
    const name = localStorage.getItem("jixiao-who");
    who.textContent = name ? "已登录：" + name : "尚未登录。";
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const code = document.getElementById("jx-code").value.trim();
    if (!code) { who.textContent = "请输入登录码。"; return; }
    who.textContent = "正在登录…";
    try {
      const response = await fetch(new URL("/api/v1/login", location.href), {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ code: code }),
      });
      const body = await response.json();
      if (!response.ok) { who.textContent = body.detail || "登录失败。"; return; }
      localStorage.setItem("jixiao-token", body.token);
      localStorage.setItem("jixiao-who", body.kind === "unit" ? "报送单位" : "财政局");
      document.getElementById("jx-code").value = "";
      show();
    } catch (e) {
      who.textContent = "无法连接服务器：" + e;
    }
  });
  document.getElementById("jx-logout").addEventListener("click", () => {
    localStorage.removeItem("jixiao-token");
    localStorage.removeItem("jixiao-who");
    show();
  });
  show();
})();
