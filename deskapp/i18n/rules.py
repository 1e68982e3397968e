"""The desk's rules in words: severity classes and the rules that fire, policy-file
problems, deadline refusals, countdown formats."""

MESSAGES: dict[str, tuple[str, str]] = {
    # --- complaint classes (投诉界定) and the rule that put a complaint in one
    "severity.ordinary": ("通常", "ordinary"),
    "severity.significant": ("较大", "significant"),
    "severity.major": ("重大", "major"),
    "severity.critical": ("尤其重大", "critical"),
    "rule.none": ("未符合较大及以上任一条件，按通常投诉处理", "no condition of a higher class applies: ordinary"),
    "rule.loss": ("经济损失 ≥ ¥{amount}", "economic loss ≥ ¥{amount}"),
    "rule.collective": ("同一事件 ≥ {count} 位客户集体投诉", "same event complained about by ≥ {count} customers"),
    "rule.death": ("死亡 ≥ {count} 人", "≥ {count} death(s)"),
    "rule.undelivered_raised": (
        "承诺或合同约定的服务未提供，反映 ≥ {times} 次未处理",
        "promised or contracted service not delivered, raised ≥ {times} times unhandled",
    ),
    "rule.raised": ("同一事件反映 ≥ {times} 次未处理", "same matter raised ≥ {times} times unhandled"),
    "rule.media_days": ("负面媒体报道 ≥ {days} 天", "negative media coverage for ≥ {days} days"),
    "rule.media_outlets": ("负面媒体报道 ≥ {outlets} 家媒体", "negative coverage by ≥ {outlets} outlets"),
    "rule.media": ("有负面媒体报道", "negative media coverage"),
    "rule.injury_serious": ("人身伤害：重伤", "personal injury: serious"),
    "rule.injury_minor": ("人身伤害：轻伤", "personal injury: minor"),
    "rule.mishandled": ("由处理不当的{severity}投诉升级", "escalated: an earlier {severity} complaint was mishandled"),
    # --- the facts intake records, refused when they cannot be true
    "fact.loss_yuan": ("经济损失", "The economic loss"),
    "fact.complainants": ("投诉人数", "The number of complainants"),
    "fact.deaths": ("死亡人数", "The number of deaths"),
    "fact.media_days": ("负面报道天数", "The days of negative coverage"),
    "fact.media_outlets": ("报道媒体家数", "The number of media outlets"),
    "fact.times_raised_unhandled": ("反映未处理次数", "The times raised unhandled"),
    "fact.not_a_number": ("{field}必须是数字：{value}", "{field} must be a number: {value}"),
    "fact.not_whole": ("{field}必须是整数：{value}", "{field} must be a whole number: {value}"),
    "fact.negative": ("{field}不能为负数：{value}", "{field} cannot be negative: {value}"),
    "fact.at_least": ("{field}至少为 {minimum}：{value}", "{field} must be at least {minimum}: {value}"),
    "fact.injury": ("人身伤害", "Personal injury"),
    "fact.bad_injury": ("{field}须为 无 / 轻伤 / 重伤 之一：{value}", "{field} is none, minor or serious: {value}"),
    # --- deadlines (时效) a person enters
    "deadline.required": (
        "{severity}投诉没有默认完成时限，须与客户约定并录入（一事一议）",
        "A {severity} complaint has no default deadline: agree one with the customer and enter it",
    ),
    "deadline.customer": ("客户要求的完成时间", "The customer's deadline"),
    "deadline.agreed": ("约定的完成时间", "The agreed deadline"),
    "deadline.not_after_received": ("{which}必须晚于受理时间：{value}", "{which} must be after the time received: {value}"),
    "deadline.accepted_before_issued": ("接单时间不能早于开单时间", "A slip cannot be accepted before it was issued"),
    "deadline.fee_before_accepted": ("同意费用的时间不能早于接单时间", "The fee cannot be agreed before the slip was accepted"),
    # --- countdowns (倒计时): the long form for a detail pane, the compact one (≤ 7 cells) for a list
    "countdown.days_hours": ("{days}天{hours:02d}时", "{days}d {hours:02d}h"),
    "countdown.overdue": ("超时 {time}", "{time} late"),
    "countdown.compact_hours": ("{n}时", "{n}h"),
    "countdown.compact_days": ("{n}天", "{n}d"),
    "countdown.compact_years": ("{n}年", "{n}y"),
    "countdown.compact_overdue": ("超{time}", "-{time}"),
    # --- site data files (policy.toml, calendar.toml): "<file>: <dotted.key>: <one of these>"
    "policy.unreadable": ("无法读取文件：{reason}", "cannot read the file: {reason}"),
    "policy.not_utf8": ("文件不是 UTF-8 编码", "the file is not UTF-8"),
    "policy.syntax": ("TOML 语法错误：{detail}", "TOML syntax error: {detail}"),
    "policy.unknown_key": ("未知的键", "unknown key"),
    "policy.missing": ("缺少必填项", "required key is missing"),
    "policy.positive_int": ("必须是正整数", "must be a positive integer"),
    "policy.non_negative_int": ("必须是非负整数", "must be zero or a positive integer"),
    "policy.integer": ("必须是整数", "must be an integer"),
    "policy.greater_than": ("必须大于 {limit}", "must be greater than {limit}"),
    "policy.at_least": ("不能小于 {limit}", "must be at least {limit}"),
    "policy.at_most": ("不能大于 {limit}", "must be at most {limit}"),
    "policy.number": ("必须是数字，例如 0.2", "must be a number, e.g. 0.2"),
    "policy.fraction": ("必须是 0 到 1 之间（不含 1）的小数，例如 0.2", "must be a fraction from 0 up to (not including) 1, e.g. 0.2"),
    "policy.bool": ("必须是 true 或 false", "must be true or false"),
    "policy.string": ("必须是字符串", "must be a string"),
    "policy.table": ("必须是一个表，例如 [section]", "must be a table, e.g. [section]"),
    "policy.invalid": ("取值无效：{detail}", "invalid value: {detail}"),
    "policy.unknown_zone": ("未知的时区：{zone}", "unknown time zone: {zone}"),
    "policy.loss_order": (
        "金额门槛必须递增：significant_loss_yuan < major_loss_yuan < critical_loss_yuan",
        "loss thresholds must increase: significant_loss_yuan < major_loss_yuan < critical_loss_yuan",
    ),
    "policy.raised_order": (
        "significant_raised_times 必须小于 major_raised_times",
        "significant_raised_times must be less than major_raised_times",
    ),
    "policy.complete_either": (
        "complete_hours 与 complete_days 只能填一个",
        "set complete_hours or complete_days, not both",
    ),
    "policy.report_either": (
        "report_minutes 与 report_same_day 只能填一个",
        "set report_minutes or report_same_day, not both",
    ),
    "calendar.dates_list": ("必须是日期列表，例如 [2027-02-06]", "must be a list of dates, e.g. [2027-02-06]"),
    "calendar.bad_date": ("不是有效日期：{value}", "not a valid date: {value}"),
    "calendar.date_expected": ("必须是日期，例如 2027-02-06：{value}", "must be a date, e.g. 2027-02-06: {value}"),
    "calendar.years_list": ("必须是年份列表，例如 [2027]", "must be a list of years, e.g. [2027]"),
    "calendar.year_expected": ("必须是四位年份：{value}", "must be a four-digit year: {value}"),
    "calendar.also_holiday": ("{day} 同时列在 extra_holidays 中", "{day} is also listed in extra_holidays"),
    "calendar.no_workdays": (
        "{start} 之后找不到 {n} 个工作日，请检查 data/{file}",
        "no {n} working days found after {start}; check data/{file}",
    ),
    "calendar.year_sep": ("、", ", "),
    "calendar.years_unknown": (
        "{years}年的官方调休安排尚未录入（日历已知至 {known}）：到期日 {due} 是按周末、法定节假日和 holidays 库"
        "自行推算的补休日算出的，推算的补休日不是官方公布的，调休上班的周末一天也没算，日期可能变动；"
        "请主管用 deskapp calendar 录入国务院公布的安排（{file}）。",
        "the official make-up working days of {years} are not entered yet (the calendar is known up to {known}): "
        "the due date {due} counts weekends, statutory holidays and the substitute days the holidays library "
        "guesses, which are not official, and no make-up working weekend at all, so it may move; a supervisor "
        "enters the State Council's schedule with deskapp calendar ({file}).",
    ),
}
