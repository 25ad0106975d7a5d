"""xlwings Server's custom auth provider: the 报送站's 登录码 and tokens (see jixiao.addin.server.identity)."""
from jixiao.addin.server.identity import validate_token  # noqa: F401
