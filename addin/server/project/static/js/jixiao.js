// jixiao task pane: sign in with the 登录码 at the 报送站's own endpoint, keep the token for getAuth().
(function () {
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
