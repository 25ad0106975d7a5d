// jixiao: every add-in call carries the 报送站 token the task pane got for the unit's 登录码
// (overrides xlwings Server's static/js/auth.js; the custom provider checks it on the server).
globalThis.getAuth = async function () {
  const token = globalThis.localStorage ? localStorage.getItem("jixiao-token") || "" : "";
  return { token: token ? "Bearer " + token : "", provider: "custom" };
};
