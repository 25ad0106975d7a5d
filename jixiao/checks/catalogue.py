"""The rule catalogue: every finding's code, severity, title and Chinese message template.

Codes are a contract. Each code has one entry, and a finding's message is
rendered from its template, so the same code always reads the same way. New
rules get new codes; a code is never reused. Plain data (no pydantic): the
consolidation parent reads titles and renders its own findings without
loading the models.

>>> message("JX-D04", detail="工作簿为 2020 年度")
'工作簿为 2020 年度'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ERROR, WARNING = "error", "warning"
SEVERITY_ZH = {ERROR: "错误", WARNING: "提示"}


@dataclass(frozen=True)
class CodeSpec:
    code: str
    severity: str
    title: str
    template: str  # str.format with the finding's parameters


_SPECS = [
    CodeSpec("JX-L01", ERROR, "不是 jixiao 工作簿", "{detail}"),
    CodeSpec("JX-L02", ERROR, "必填项为空", "{label}未填写，请填写{label}。"),
    CodeSpec("JX-L03", ERROR, "数字格中不是数字", "{label}应填数字，现为“{value}”；请只填数字（单位：{unit}）。"),
    CodeSpec("JX-L04", WARNING, "在项目模板中填写了项目",
             "工作表“项目模板”是供复制的母版，其中填写的项目已按一个项目读取并计入合计；下次请右键“项目模板”→"
             "“移动或复制”→勾选“建立副本”，在副本（项目2、项目3……）中填写，“项目模板”保持空白。"),
    CodeSpec("JX-L05", ERROR, "输入格中是公式或错误值",
             "{label}中是{what}“{value}”，程序不读取输入格中的公式和错误值，此格未计入；{advice}"),
    CodeSpec("JX-L06", WARNING, "支出计划按小数填写",
             "资金支出计划填的是小数（12月底为 1），已按百分比读取（如 0.25 即 25%）；请改填百分数（25 或 25%），"
             "以免表中的检查标红。"),
    CodeSpec("JX-L07", WARNING, "项目表被隐藏",
             "工作表“{sheet}”被隐藏了：其中的项目仍计入预算数和汇总，但打印时不会印出，交出的纸质表会少这个项目；"
             "要报送请右键工作表标签 →“取消隐藏”，不报送请删除这张表。"),
    CodeSpec("JX-C01", WARNING, "项目编码格式不规范",
             "项目编码“{value}”不是 21 位一体化编码（6 位区划 + 2 位年度 + 1 位字母 + 12 位数字），请核对。"),
    CodeSpec("JX-C02", ERROR, "项目编码与单位不符", "项目编码“{value}”中的{what}“{found}”与{expected_label}“{expected}”不一致，请核对。"),
    CodeSpec("JX-C03", ERROR, "项目编码重复", "项目编码“{value}”在本工作簿中重复（另见 {other}），同一项目只能填一张表。"),
    CodeSpec("JX-C04", WARNING, "单位编码不是 6 位数字", "单位编码“{value}”应为 6 位数字（3 位部门 + 3 位单位）{detail}。"),
    CodeSpec("JX-B01", ERROR, "预算数与资金来源不符",
             "{label} {value} 不等于{fiscal_label} {fiscal} + {other_label} {other} = {sum}，相差 {diff} 万元；请核对金额。"),
    CodeSpec("JX-B02", ERROR, "金额为负数", "{label}为负数（{value}），金额不能小于 0。"),
    CodeSpec("JX-B03", WARNING, "金额超过两位小数", "{label} {value} 超过两位小数；金额以{unit}计，保留两位小数。"),
    CodeSpec("JX-B04", ERROR, "年度金额超过中期金额",
             "{label} {value} 万元大于{mid_label} {mid} 万元；年度资金是中期（实施期）资金的一部分，请核对金额。"),
    CodeSpec("JX-B05", WARNING, "金额疑似按元填写",
             "{label} {value} 万元即 {yi} 亿元，明显偏大：表上金额以万元计，如果填的是元，应为 {yi} 万元；请核对。"),
    CodeSpec("JX-P01", ERROR, "支出计划百分比无效", "资金支出计划 {milestone} {problem}；请填 0–100 之间的累计百分比。"),
    CodeSpec("JX-P02", ERROR, "累计支出计划下降",
             "资金支出计划是累计数，{milestone} 的 {value}% 小于 {previous} 的 {previous_value}%；请改为不小于上一时点。"),
    CodeSpec("JX-P03", ERROR, "12月底累计计划不是 100%", "12月底累计支出计划应为 100%，现为“{value}”。"),
    CodeSpec("JX-P04", WARNING, "支出计划慢于序时进度",
             "{milestone} 累计支出计划 {value}% 低于序时进度 {target}%；如有原因请在资金用途中说明。"),
    CodeSpec("JX-G01", ERROR, "绩效目标为空", "{label}未填写，请填写本项目的{what}。"),
    CodeSpec("JX-G02", WARNING, "资金用途为空", "资金用途未填写，建议说明资金的具体用途。"),
    CodeSpec("JX-T01", ERROR, "一级指标不规范", "一级指标“{value}”{hint}；一级指标应为：{allowed}。"),
    CodeSpec("JX-T02", ERROR, "二级指标不属于一级指标",
             "二级指标“{value}”不属于一级指标“{level1}”{hint}；“{level1}”下可选：{allowed}。"),
    CodeSpec("JX-T03", WARNING, "指标名称已规范", "“{value}”是旧称或别称，规范名称为“{canonical}”。"),
    CodeSpec("JX-T04", WARNING, "缺少一级指标类别", "{scope}没有{missing}，绩效指标一般应包含产出、效益和满意度指标。"),
    CodeSpec("JX-T05", ERROR, "三级指标为空", "三级指标未填写，请填写具体的指标名称。"),
    CodeSpec("JX-T06", WARNING, "三级指标重复", "三级指标“{value}”在本表中重复（另见 {other}），请区分指标名称。"),
    CodeSpec("JX-V01", ERROR, "指标值为空", "指标值未填写，请填写目标值（如 ≥95%）。"),
    CodeSpec("JX-V02", ERROR, "定量指标值不是数字", "定量指标的指标值应为数字，现为“{value}”。"),
    CodeSpec("JX-V03", ERROR, "定量指标缺少计量单位", "定量指标“{value}”缺少计量单位（如 %、个、次、万元）。"),
    CodeSpec("JX-V04", ERROR, "定性指标不应填计量单位", "定性指标不填计量单位，现填了“{value}”。"),
    CodeSpec("JX-V05", WARNING, "指标值混有文字",
             "指标值“{value}”中数字后跟了{what}“{rest}”；建议拆分为指标值“{proposal}”，{advice}。"),
    CodeSpec("JX-V06", ERROR, "指标值类型无效", "指标值类型“{value}”无效，应为 ≥、>、=、≤、< 或 定性。"),
    CodeSpec("JX-V07", WARNING, "百分比超出 0–100", "指标值 {value} 是百分比，但不在 0–100% 之间，请核对。"),
    CodeSpec("JX-V08", WARNING, "{label}为空", "{label}未填写，建议写明（如 计划标准、行业标准、历史标准）。"),
    CodeSpec("JX-V09", WARNING, "{label}未填写", "{label}未填写{detail}。"),
    CodeSpec("JX-K01", ERROR, "成本指标超过预算数", "成本指标 {value}（{amount} {unit}）超过{budget_label} {budget} {unit}，请核对成本指标或预算数。"),
    CodeSpec("JX-K02", WARNING, "成本指标方向不对", "成本指标一般应为“≤”或“<”（不超过），现为“{value}”。"),
    CodeSpec("JX-W01", ERROR, "指标分值合计不符", "指标{label}合计 {value}，应为 {total}；请调整各指标{label}。"),
    CodeSpec("JX-X01", WARNING, "多余的空格或换行", "{label}“{shown}”中有多余的空格或换行，建议改为“{clean}”。"),
    CodeSpec("JX-X02", WARNING, "含有控制字符",
             "{label}中有看不见的控制字符（{chars}），多为从 Word 粘贴带入，会使导出的 Word 文档出错；"
             "建议删除（可用 --fix 自动修正）。"),
    CodeSpec("JX-S01", WARNING, "涉密项目", "本项目为涉密项目，已跳过内容检查，只检查金额和支出计划。"),
    CodeSpec("JX-D01", ERROR, "单位重复", "{detail}"),
    CodeSpec("JX-D02", ERROR, "项目编码跨单位重复", "{detail}"),
    CodeSpec("JX-D03", ERROR, "文件无法读取", "{detail}"),
    CodeSpec("JX-D04", ERROR, "预算年度不符", "{detail}"),
    CodeSpec("JX-D05", ERROR, "输出文件无法写入", "{detail}"),
    CodeSpec("JX-E01", WARNING, "执行率偏低未说明原因", "{detail}"),
    CodeSpec("JX-E02", ERROR, "得分超过分值", "{detail}"),
    CodeSpec("JX-E03", ERROR, "定性得分超出档次", "{detail}"),
    CodeSpec("JX-E04", WARNING, "完成值偏离未说明原因", "{detail}"),
    CodeSpec("JX-E05", ERROR, "执行数超过预算数", "{detail}"),
    CodeSpec("JX-E06", ERROR, "指标未评", "{detail}"),
    CodeSpec("JX-E07", WARNING, "实际完成值单位与指标值不同", "{detail}"),
    CodeSpec("JX-E08", WARNING, "实际完成值疑似按小数填写", "{detail}"),
]
CATALOGUE: dict[str, CodeSpec] = {spec.code: spec for spec in _SPECS}


def message(code: str, value: Any = None, **params: Any) -> str:
    """The message of a finding with code ``code`` (``value``: the cell's value as shown, if any)."""
    return CATALOGUE[code].template.format(value="" if value is None else value, **params)
