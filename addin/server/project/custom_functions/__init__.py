"""xlwings Server's custom functions: jixiao's UDFs (see jixiao.addin.server.registry)."""
from jixiao.addin.server.registry import JX_PARSE_VALUE, JX_PLAN_AMOUNT  # noqa: F401
