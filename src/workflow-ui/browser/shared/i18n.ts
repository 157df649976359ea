/**
 * The workflow pages in the signed-in user's language (issue 14): the server writes it as the page's `lang`
 * (workflow-ui-pages.ts); the texts are written in English here and looked up in Chinese. A text without an entry stays
 * English (diagram element names, server messages).
 */
const ZH: Record<string, string> = {
  // tasklist
  'Tasks · OMS': '待办任务 · OMS',
  Tasks: '待办任务',
  Status: '状态',
  'Candidate role': '候选角色',
  'Candidate role ': '候选角色 ',
  'Status ': '状态 ',
  'Assignee ': '处理人 ',
  Assignee: '处理人',
  'any role': '任意角色',
  anyone: '任何人',
  Task: '任务',
  Mine: '我的',
  Show: '查询',
  'Loading…': '加载中…',
  'No tasks match': '没有符合条件的任务',
  Instance: '流程实例',
  'Candidate roles': '候选角色',
  Due: '截止时间',
  Created: '创建时间',
  unassigned: '未分配',
  Claim: '领取',
  'Complete…': '完成…',
  'Choose a task to complete it': '选择一个任务来完成它',
  'This task has no form: completing it records that it is done.': '此任务没有表单：完成即记录为已处理。',
  'Complete task': '完成任务',
  Step: '步骤',
  due: '截止',
  'assigned to': '处理人',
  open: '待领取',
  claimed: '已领取',
  completed: '已完成',
  cancelled: '已取消',
  active: '进行中',
  'open or claimed': '待领取或已领取',
  all: '全部',
  // instance view
  'Process instance': '流程实例',
  'Open this version in the modeler': '在建模器中打开此版本',
  Refresh: '刷新',
  'Waiting at': '当前节点',
  'Nothing: the instance has ended': '无：流程实例已结束',
  'Nothing right now': '当前无',
  Variables: '流程变量',
  History: '执行记录',
  'No variables': '没有流程变量',
  'No history yet': '暂无执行记录',
  Element: '节点',
  Type: '类型',
  Entered: '进入时间',
  Left: '离开时间',
  Took: '耗时',
  'No incidents': '没有流程异常',
  Raised: '产生时间',
  Error: '错误',
  Retry: '重试',
  'Retry scheduled': '已安排重试',
  // modeler
  'Modeler · OMS': '流程建模器 · OMS',
  'Open a deployed version': '打开已部署的版本',
  Properties: '属性',
  'Play tokens through the diagram (no data is changed)': '在流程图上模拟令牌流转（不改变任何数据）',
  'Token simulation': '令牌模拟',
  'Download .bpmn': '下载 .bpmn',
  'Save draft': '保存草稿',
  Deploy: '部署',
  Problems: '问题',
  'Problems ': '问题 ',
  'Open version…': '打开版本…',
  'No version deployed': '尚未部署版本',
  'Draft saved': '草稿已保存',
  'No problems': '没有问题',
  Workflows: '流程',
  Key: '流程标识',
  Name: '名称',
  'Latest version': '最新版本',
  'Open in modeler': '在建模器中打开',
  'New workflow': '新建流程',
  'e.g. after-sales': '例如 after-sales',
  'New workflow key': '新流程标识',
  Create: '创建',
  // the modeler's OMS properties
  'OMS task': 'OMS 任务',
  Tasklist: '待办任务',
  'Comma-separated roles that may claim it, e.g. operator, finance; empty: anyone': '可领取此任务的角色，用逗号分隔，例如 operator, finance；留空：任何人',
  'Due in': '处理时限',
  'ISO 8601 duration from when the task is created, e.g. PT4H or P2D': '自任务创建起的 ISO 8601 时长，例如 PT4H 或 P2D',
  Condition: '条件',
  'Choose what this task does': '选择此任务执行的操作',
  'Task type': '任务类型',
  'More inputs': '更多输入',
  'One per line: name=value': '每行一个：名称=值',
  'Form fields': '表单字段',
  'Condition expression': '条件表达式',
  'One per line: name: type, * when required, then a label. Types: string, long, number, boolean, money, date, enum(value=label,...); limits in braces, e.g. {min=1,max=99}. e.g. "qcResult: enum(pass=合格,fail=不合格)* 质检结果". Completing the task sets only these.':
    '每行一个：名称: 类型，必填加 *，然后是显示名称。类型：string（文本）、long（整数）、number（数字）、boolean（是/否）、money（金额）、date（日期）、enum(值=显示名,...)（选项）；限制写在花括号里，例如 {min=1,max=99}。例如 "qcResult: enum(pass=合格,fail=不合格)* 质检结果"。完成任务时只设置这些变量。',
  'This is the default flow: taken when no other condition holds': '这是默认流向：其他条件都不满足时走此流向',
};

export const pageLanguage = (): 'zh-CN' | 'en' => (document.documentElement.lang === 'en' ? 'en' : 'zh-CN');

/** `text` in the page's language. */
export function tr(text: string): string {
  return pageLanguage() === 'zh-CN' ? (ZH[text] ?? text) : text;
}

/** A sentence with values in it, as `{name}` in both languages. */
const ZH_SENTENCES: Record<string, string> = {
  'Instance {key}': '流程实例 {key}',
  'Incidents ({count} open)': '流程异常（{count} 个未处理）',
  'Discard the unsaved changes and open version {version}?': '放弃未保存的修改并打开版本 {version}？',
  'Deployed as version {version}': '已部署为版本 {version}',
  'Nothing new: the diagram is identical to version {version}': '没有变化：流程图与版本 {version} 相同',
  'Not deployed: {message}': '未部署：{message}',
  'Not deployed: {count} problem(s), listed below': '未部署：{count} 个问题，见下方列表',
};

export function trf(sentence: string, values: Record<string, string | number>): string {
  const text = pageLanguage() === 'zh-CN' ? (ZH_SENTENCES[sentence] ?? sentence) : sentence;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}
