"""Synthetic unit workbooks: the demo's extra units and the benchmarks' thousands.

Deterministic: the same ``seed`` gives the same unit. Generated units are valid
(no errors) unless ``mistakes`` is set, which plants a known set of errors.

>>> unit = generate_unit(7, n_projects=5, n_indicators=12)
>>> len(unit.projects), len(unit.projects[0].indicators)
(5, 12)
"""

from __future__ import annotations

import random
from decimal import Decimal

from .forms.model import DepartmentTargets, Indicator, Measure, Project, SubTarget, Unit, UnitWorkbook
from .profiles import Profile, load_profile
from .forms.taxonomy import BASIS_CHOICES

DEPARTMENTS = ["教育局", "卫生健康局", "民政局", "财政局", "农业农村局", "交通运输局", "水务局", "文化旅游局",
               "人力资源和社会保障局", "自然资源和规划局", "住房和城乡建设局", "市场监督管理局", "信访局",
               "司法局", "应急管理局", "统计局"]
SUBUNITS = ["本级", "第一中学", "第二小学", "中心医院", "服务中心", "管理站", "执法大队", "事务所", "研究所",
            "培训中心", "监测站", "档案馆"]
PROJECTS = ["工作保障经费", "专项业务经费", "设备购置", "信息化建设", "人员培训", "运行维护费", "宣传经费",
            "维修改造", "专项补助", "能力提升"]
_OUTPUT = [("数量指标", "完成{}数量", "≥{n}次"), ("数量指标", "覆盖{}人数", "≥{n}人"),
           ("质量指标", "{}合格率", "≥{p}%"), ("质量指标", "{}验收通过率", "100%"),
           ("时效指标", "{}完成及时率", "100%"), ("时效指标", "{}按期完成率", "≥{p}%")]
_EFFECT = [("社会效益指标", "{}社会影响", "效果明显"), ("经济效益指标", "{}带动效益", "≥{n}万元"),
           ("可持续影响指标", "{}长效机制", "持续发挥作用"), ("生态效益指标", "{}环境改善", "有所改善")]


def _plan(rng: random.Random, milestones: list[str], progress: dict[str, Decimal]) -> dict[str, Decimal]:
    plan, floor = {}, Decimal(0)
    for m in milestones:
        if m == "12月底":
            value = Decimal(100)
        else:
            target = progress.get(m, Decimal(100))
            value = max(floor, min(Decimal(100), target + rng.choice([0, 0, 5, 10])))
        plan[m] = value
        floor = value
    return plan


def _indicators(rng: random.Random, name: str, budget: Decimal, n: int,
                cost_under_output: bool = True) -> list[Indicator]:
    """``n`` indicators (at least 4): 产出 rows, a cost row, 效益 rows and a 满意度 row."""
    basis = lambda: rng.choice(BASIS_CHOICES)  # noqa: E731
    fmt = lambda t: t.format(n=rng.randint(1, 500), p=rng.choice([85, 90, 95, 98]))  # noqa: E731
    level1, level2 = ("产出指标", "成本指标") if cost_under_output else ("成本指标", "经济成本指标")
    cost = Indicator(level1=level1, level2=level2, level3="成本控制率", description="支出控制在预算内",
                     value_text=f"≤{budget}万元", basis="计划标准")
    satisfaction = Indicator(level1="满意度指标", level2="服务对象满意度指标", level3="服务对象满意度",
                             description="服务对象对项目实施的满意程度", value_text="≥95%", basis=basis())
    body = max(n - 2, 2)
    n_output = max(1, body * 2 // 3)
    rows: list[Indicator] = []
    for i in range(body):
        level1_, (level2_, level3, value) = (("产出指标", rng.choice(_OUTPUT)) if i < n_output
                                           else ("效益指标", rng.choice(_EFFECT)))
        rows.append(Indicator(level1=level1_, level2=level2_, level3=f"{level3.format(name)}{i + 1}",
                              description=f"{name}{level3.format('')}", value_text=fmt(value), basis=basis()))
    return rows[:n_output] + [cost] + rows[n_output:] + [satisfaction]


def generate_unit(seed: int, *, n_projects: int = 5, n_indicators: int = 12, year: int = 2026,
                  region_code: str = "130824", profile: Profile | None = None,
                  classified: bool = False, mistakes: bool = False) -> UnitWorkbook:
    """One synthetic unit; ``classified`` makes its last project 涉密, ``mistakes`` plants errors."""
    profile = profile or load_profile("hebei")
    rng = random.Random(seed)
    dept_no = 100 + seed // len(SUBUNITS)  # 6-digit 单位编码 = 3-digit department + 3-digit unit
    sub_no = seed % len(SUBUNITS) + 1
    dept = DEPARTMENTS[(dept_no - 100) % len(DEPARTMENTS)]
    suffix = "" if dept_no < 100 + len(DEPARTMENTS) else f"（{dept_no}）"
    name = f"示例县{dept}{suffix}{SUBUNITS[sub_no - 1]}"
    unit = Unit(code=f"{dept_no:03d}{sub_no:03d}", name=name, region_code=region_code, year=year,
                filler="张三", phone="0314-1234567", fill_date=f"{year - 1}-12-15", head="李四")
    projects = []
    for p in range(n_projects):
        fiscal = Decimal(rng.randint(100, 500000)) / 100
        other = Decimal(rng.choice([0, 0, 0, rng.randint(100, 50000)])) / 100
        budget = fiscal + other
        pname = f"{PROJECTS[(seed + p) % len(PROJECTS)]}"
        code = f"{region_code}{year % 100:02d}P{dept_no:03d}{sub_no:03d}{p + 1:06d}"
        project = Project(code=code, name=pname, budget=budget, fiscal=fiscal,
                          other=other if other else None,
                          purpose=f"用于{pname}相关支出。", plan=_plan(rng, profile.milestones, profile.progress),
                          goals=f"1.保障{pname}顺利实施。\n2.提升服务质量和群众满意度。",
                          indicators=_indicators(rng, pname, budget, n_indicators,
                                                      profile.cost_under_output))
        projects.append(project)
    if classified and projects:
        last = projects[-1]
        last.purpose = "涉密"
        last.goals = "涉密"
        last.indicators = [Indicator(level1="涉密", level2="涉密", level3="涉密", description="涉密",
                                     value_text="涉密", basis="涉密") for _ in range(3)]
    if mistakes and projects:
        first = projects[0]
        first.budget = (first.budget or Decimal(0)) + Decimal("1.00")  # JX-B01
        first.indicators[0].level1 = "效果指标"  # JX-T03
    department = DepartmentTargets(
        overall_goal=f"{name}{year}年围绕中心工作，保障各项业务有序开展，提升服务质量。",
        sub_targets=[SubTarget(title="做好业务保障", goal="保障业务工作正常运转。", indicators="业务完成率。")],
        measures=[Measure(title="加强组织领导", text="明确责任分工，强化绩效监控。")])
    return UnitWorkbook(profile=profile.name, milestones=list(profile.milestones), unit=unit,
                        department=department, projects=projects)


ATTRIBUTES = ("延续项目", "新增项目", "一次性项目")


def generate_national_unit(seed: int, *, n_projects: int = 3, n_indicators: int = 8, year: int = 2026,
                           region_code: str = "140881", mistakes: bool = False) -> UnitWorkbook:
    """A unit that fills the national forms: 申报表 per project (中期 and 年度) and the 部门整体 申报表.

    Multi-year projects (项目期 3 年) fill both periods, the 年度 amounts a part of the 中期 ones; a
    一次性项目 fills only 年度. ``mistakes`` plants a 年度 amount above its 中期 amount (JX-B04).
    """
    from .forms.model import OverallTargets, Task

    profile = load_profile("national")
    book = generate_unit(24 + seed, n_projects=n_projects, n_indicators=n_indicators, year=year,
                         region_code=region_code, profile=profile)
    rng = random.Random(seed)
    dept_code = book.unit.code[:3]
    book.unit.name = book.unit.name.replace("示例县", "示例市")
    department = f"{dept_code}-示例市{DEPARTMENTS[(int(dept_code) - 100) % len(DEPARTMENTS)]}"
    for i, p in enumerate(book.projects):
        p.code = None  # the national form has no 项目编码 row
        p.plan = {}
        p.purpose = None
        p.department, p.implementer = department, f"{book.unit.code}-{book.unit.name}"
        for ind in p.indicators:
            ind.description = ind.basis = None
        p.attribute = ATTRIBUTES[(seed + i) % len(ATTRIBUTES)]
        if p.attribute == "一次性项目":
            p.term = f"{year}年"
            continue
        years = rng.choice([2, 3])
        p.term = f"{year}年—{year + years - 1}年（{years}年）"
        p.mid_fiscal = p.fiscal * years
        p.mid_other = p.other * years if p.other is not None else None
        p.mid_budget = p.mid_fiscal + (p.mid_other or Decimal(0))
        p.mid_goals = f"{year}年至{year + years - 1}年，完成{p.name}各项任务，形成长效机制。"
        outputs = [ind for ind in p.indicators if ind.level1 == "产出指标" and ind.level2 != "成本指标"][:2]
        effects = [ind for ind in p.indicators if ind.level1 == "效益指标"][:1]
        p.mid_indicators = [Indicator.model_validate(ind.content()) for ind in outputs + effects]
        p.mid_indicators.append(Indicator(level1="满意度指标", level2="服务对象满意度指标",
                                          level3="服务对象满意度", value_text="≥90%"))
    if mistakes and book.projects:
        first = book.projects[0]
        if first.mid_budget is not None:
            first.budget = first.mid_budget + Decimal("10.00")  # JX-B04 (and JX-B01)
            first.fiscal = first.budget - (first.other or Decimal(0))
    from .forms.layouts import form_set

    book.forms = dict(form_set(profile).named)  # the national 申报表, not the Hebei form
    tasks = [Task(name=p.name, detail=f"保障{p.name}实施", budget=p.budget, fiscal=p.fiscal, other=p.other)
             for p in book.projects]
    indicators = [Indicator.model_validate(ind.content()) for ind in book.projects[0].indicators] \
        if book.projects else []
    book.overall = OverallTargets(name=book.unit.name, duties=f"负责{book.unit.name}职责范围内的各项工作。",
                                  annual_goal=f"{year}年完成年度主要任务，提升公共服务水平。",
                                  indicators=indicators, tasks=tasks)
    return book
