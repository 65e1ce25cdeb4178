<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="zh_CN">
<context>
    <name>AskPanel</name>
    <message>
        <source>New conversation</source>
        <translation>新对话</translation>
    </message>
    <message>
        <source>This chat</source>
        <translation>当前聊天</translation>
    </message>
    <message>
        <source>All chats</source>
        <translation>全部聊天</translation>
    </message>
    <message>
        <source>Selected messages</source>
        <translation>选中的消息</translation>
    </message>
    <message>
        <source>Ask about your chats, e.g. “When is the launch?”</source>
        <translation>问问你的聊天记录，例如“发布定在什么时候？”</translation>
    </message>
    <message>
        <source>Ask</source>
        <translation>提问</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Questions are not available in this build.</source>
        <translation>此版本不支持提问。</translation>
    </message>
    <message numerus="yes">
        <source>Questions now search the %n selected message(s).</source>
        <translation><numerusform>提问现在只在选中的 %n 条消息中查找。</numerusform></translation>
    </message>
    <message>
        <source>%1 (%2 questions)</source>
        <translation>%1（%2 个问题）</translation>
    </message>
    <message>
        <source>Stopping…</source>
        <translation>正在停止…</translation>
    </message>
    <message>
        <source>Working out what the question refers to…</source>
        <translation>正在理解问题所指…</translation>
    </message>
    <message>
        <source>Searching the archive…</source>
        <translation>正在检索档案…</translation>
    </message>
    <message>
        <source>Writing the answer…</source>
        <translation>正在撰写回答…</translation>
    </message>
    <message>
        <source>(stopped)</source>
        <translation>（已停止）</translation>
    </message>
    <message>
        <source>(failed: %1)</source>
        <translation>（失败：%1）</translation>
    </message>
    <message>
        <source>Stopped; this answer was not saved.</source>
        <translation>已停止，此回答未保存。</translation>
    </message>
    <message>
        <source>Searched for: %1</source>
        <translation>检索的问题：%1</translation>
    </message>
    <message>
        <source>Not found in your chats</source>
        <translation>聊天记录中没有找到</translation>
    </message>
</context>
<context>
    <name>ConversationDelegate</name>
    <message numerus="yes">
        <source>%n message(s)</source>
        <translation><numerusform>%n 条消息</numerusform></translation>
    </message>
</context>
<context>
    <name>ConversationPanel</name>
    <message>
        <source>Filter conversations</source>
        <translation>筛选会话</translation>
    </message>
    <message>
        <source>Recent first</source>
        <translation>最近优先</translation>
    </message>
    <message>
        <source>By name</source>
        <translation>按名称</translation>
    </message>
    <message>
        <source>Most messages</source>
        <translation>消息最多</translation>
    </message>
</context>
<context>
    <name>ErrorDialog</name>
    <message>
        <source>Something went wrong</source>
        <translation>出错了</translation>
    </message>
    <message>
        <source>chatsum hit an unexpected problem. Your archive is safe: unfinished work was rolled back.</source>
        <translation>chatsum 遇到了意外问题。你的档案是安全的：未完成的操作已回滚。</translation>
    </message>
    <message>
        <source>Details were written to %1</source>
        <translation>详细信息已写入 %1</translation>
    </message>
</context>
<context>
    <name>ExtractPanel</name>
    <message>
        <source>Customer leads (客户线索): one record per customer</source>
        <translation>客户线索：每位客户一条记录</translation>
    </message>
    <message>
        <source>Extract</source>
        <translation>提取</translation>
    </message>
    <message>
        <source>Ask the model for one record per customer of this chat</source>
        <translation>让模型为本聊天中的每位客户生成一条记录</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
    <message>
        <source>Export JSON…</source>
        <translation>导出 JSON…</translation>
    </message>
    <message>
        <source>Participant</source>
        <translation>成员</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>Decided by</source>
        <translation>判定方式</translation>
    </message>
    <message>
        <source>Roles (change one to correct it; it is saved for this chat and used next run)</source>
        <translation>角色（可修改以纠正；修改会为本聊天保存，并用于下次提取）</translation>
    </message>
    <message>
        <source>Choose a customer-service chat and press Extract.</source>
        <translation>选择一个客服群聊，然后点击“提取”。</translation>
    </message>
    <message>
        <source>Reading the saved records and roles…</source>
        <translation>正在读取已保存的记录和角色…</translation>
    </message>
    <message>
        <source>No records yet for this chat. Press Extract.</source>
        <translation>本聊天还没有记录。点击“提取”。</translation>
    </message>
    <message>
        <source>Staff</source>
        <translation>员工</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>其他</translation>
    </message>
    <message>
        <source>you</source>
        <translation>你</translation>
    </message>
    <message>
        <source>heuristics</source>
        <translation>规则判断</translation>
    </message>
    <message>
        <source>the model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>%1 messages</source>
        <translation>%1 条消息</translation>
    </message>
    <message>
        <source>Saving the role of %1…</source>
        <translation>正在保存 %1 的角色…</translation>
    </message>
    <message>
        <source>Roles saved; the next extraction uses them.</source>
        <translation>角色已保存，下次提取时使用。</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>正在开始…</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <source>The model is reading the chat: %1 of %2 calls (%3)</source>
        <translation>模型正在阅读聊天：第 %1 / %2 次调用（%3）</translation>
    </message>
    <message>
        <source>Working: %1</source>
        <translation>处理中：%1</translation>
    </message>
    <message>
        <source>Cancelled; nothing was saved.</source>
        <translation>已取消，没有保存任何内容。</translation>
    </message>
    <message numerus="yes">
        <source>%n customer record(s)</source>
        <translation><numerusform>%n 条客户记录</numerusform></translation>
    </message>
    <message>
        <source>model %1</source>
        <translation>模型 %1</translation>
    </message>
    <message>
        <source>%1 model calls, %2 s</source>
        <translation>%1 次模型调用，%2 秒</translation>
    </message>
    <message numerus="yes">
        <source>%n unsupported value(s) dropped</source>
        <translation><numerusform>丢弃了 %n 个无依据的值</numerusform></translation>
    </message>
    <message>
        <source>Saved records</source>
        <translation>已保存的记录</translation>
    </message>
    <message>
        <source>Records ready</source>
        <translation>记录已生成</translation>
    </message>
    <message>
        <source>CSV (*.csv)</source>
        <translation>CSV (*.csv)</translation>
    </message>
    <message>
        <source>JSON (*.json)</source>
        <translation>JSON (*.json)</translation>
    </message>
    <message>
        <source>Export records</source>
        <translation>导出记录</translation>
    </message>
    <message>
        <source>Exported to %1</source>
        <translation>已导出到 %1</translation>
    </message>
</context>
<context>
    <name>ExtractionTableModel</name>
    <message>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message numerus="yes">
        <source>%n source message(s); click to show</source>
        <translation><numerusform>%n 条来源消息；点击查看</numerusform></translation>
    </message>
</context>
<context>
    <name>FirstRunPanel</name>
    <message>
        <source>Welcome to chatsum</source>
        <translation>欢迎使用 chatsum</translation>
    </message>
    <message>
        <source>Export a group chat from your messaging app, drop the file, folder or zip anywhere on this window, and chatsum summarizes it by topic and answers questions about it. Everything stays on this computer.</source>
        <translation>从聊天软件导出群聊，把文件、文件夹或 zip 拖到窗口任意位置，chatsum 就会按话题总结，并回答关于它的问题。所有数据都只留在这台电脑上。</translation>
    </message>
    <message>
        <source>Import chat exports…</source>
        <translation>导入聊天记录…</translation>
    </message>
    <message>
        <source>Try the sample archive</source>
        <translation>试用示例档案</translation>
    </message>
    <message>
        <source>How to export your chats</source>
        <translation>如何导出聊天记录</translation>
    </message>
    <message>
        <source>Open the chat, tap its name (or ⋮ on Android), choose More → Export chat → Without media. Drop the .txt or .zip you get.</source>
        <translation>打开聊天，点群名（安卓点 ⋮），选择“更多 → 导出聊天 → 不附加媒体”。把得到的 .txt 或 .zip 拖进来。</translation>
    </message>
    <message>
        <source>In Telegram Desktop open the chat, ⋮ → Export chat history, format “Machine-readable JSON”. Drop result.json or the whole folder.</source>
        <translation>在 Telegram 桌面版打开聊天，⋮ → 导出聊天记录，格式选“Machine-readable JSON”。拖入 result.json 或整个文件夹。</translation>
    </message>
    <message>
        <source>WeChat</source>
        <translation>微信</translation>
    </message>
    <message>
        <source>WeChat cannot export chats itself. On Windows, use MemoTrace (留痕) to export a chat as CSV or TXT, then drop that file.</source>
        <translation>微信本身不能导出聊天记录。请在 Windows 上用留痕（MemoTrace）把聊天导出为 CSV 或 TXT，再拖入该文件。</translation>
    </message>
    <message>
        <source>Open Message Manager (消息管理器), right-click the group and export its history as .txt (or .mht). Drop the file.</source>
        <translation>打开消息管理器，右键点击群，把消息记录导出为 .txt（或 .mht），再拖入该文件。</translation>
    </message>
    <message>
        <source>Use DiscordChatExporter to export a channel as JSON (or CSV). Drop the file.</source>
        <translation>用 DiscordChatExporter 把频道导出为 JSON（或 CSV），再拖入该文件。</translation>
    </message>
    <message>
        <source>A workspace admin exports data from Settings → Import/Export Data → Export. Drop the zip as it is.</source>
        <translation>由工作区管理员在“设置 → 导入/导出数据 → 导出”中导出，直接拖入得到的 zip。</translation>
    </message>
    <message>
        <source>Open the chat, ≡ → Settings → Export chat history. Drop the .txt file.</source>
        <translation>打开聊天，≡ → 设置 → 导出聊天记录，再拖入 .txt 文件。</translation>
    </message>
</context>
<context>
    <name>GuiBackend</name>
    <message>
        <source>not loaded</source>
        <translation>未加载</translation>
    </message>
    <message>
        <source>The model loads when it is first needed.</source>
        <translation>模型会在第一次使用时加载。</translation>
    </message>
    <message>
        <source>GPU</source>
        <translation>GPU</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
</context>
<context>
    <name>ImportPanel</name>
    <message>
        <source>Cancel import</source>
        <translation>取消导入</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Messages</source>
        <translation>消息</translation>
    </message>
    <message numerus="yes">
        <source>Importing %n item(s)…</source>
        <translation><numerusform>正在导入 %n 项…</numerusform></translation>
    </message>
    <message>
        <source>Cancelling… the file being read is rolled back.</source>
        <translation>正在取消…正在读取的文件会被回滚。</translation>
    </message>
    <message>
        <source>read</source>
        <translation>已读取</translation>
    </message>
    <message>
        <source>reading…</source>
        <translation>读取中…</translation>
    </message>
    <message>
        <source>File %1 of %2</source>
        <translation>第 %1 个文件，共 %2 个</translation>
    </message>
    <message>
        <source>%1: %2 messages read</source>
        <translation>%1：已读取 %2 条消息</translation>
    </message>
    <message>
        <source>Import cancelled</source>
        <translation>导入已取消</translation>
    </message>
    <message>
        <source>Nothing from the file being read was kept; files finished before it stay imported.</source>
        <translation>正在读取的文件没有保留任何内容；之前已完成的文件仍然保留。</translation>
    </message>
    <message>
        <source>cancelled, rolled back</source>
        <translation>已取消并回滚</translation>
    </message>
    <message>
        <source>Import failed</source>
        <translation>导入失败</translation>
    </message>
    <message>
        <source>Import finished</source>
        <translation>导入完成</translation>
    </message>
    <message>
        <source>%1 new messages, %2 duplicates skipped</source>
        <translation>新增 %1 条消息，跳过 %2 条重复消息</translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) could not be read</source>
        <translation><numerusform>%n 个文件无法读取</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) skipped (not a chat export)</source>
        <translation><numerusform>跳过 %n 个文件（不是聊天导出）</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>Warning: %1 (%n time(s))</source>
        <translation><numerusform>警告：%1（%n 次）</numerusform></translation>
    </message>
    <message>
        <source>e.g. %1</source>
        <translation>例如：%1</translation>
    </message>
    <message numerus="yes">
        <source>%n duplicate message(s) skipped</source>
        <translation><numerusform>跳过 %n 条重复消息</numerusform></translation>
    </message>
    <message>
        <source>skipped</source>
        <translation>已跳过</translation>
    </message>
    <message>
        <source>imported as %1</source>
        <translation>已按 %1 导入</translation>
    </message>
    <message>
        <source>already imported</source>
        <translation>之前已导入</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
</context>
<context>
    <name>InsightsPanel</name>
    <message>
        <source>Messages per day</source>
        <translation>每日消息数</translation>
    </message>
    <message>
        <source>Activity by weekday and hour</source>
        <translation>按星期和时段的活跃度</translation>
    </message>
    <message>
        <source>Most active members</source>
        <translation>最活跃的成员</translation>
    </message>
    <message>
        <source>Topics over time (summaries made this session)</source>
        <translation>话题时间线（本次打开后生成的总结）</translation>
    </message>
    <message>
        <source>No messages yet.</source>
        <translation>还没有消息。</translation>
    </message>
    <message>
        <source>Summarize some days or weeks and their topics appear here.</source>
        <translation>总结几天或几周后，话题会显示在这里。</translation>
    </message>
    <message>
        <source>Select a conversation to see its activity.</source>
        <translation>选择一个会话查看它的活跃情况。</translation>
    </message>
    <message>
        <source>Reading the conversation…</source>
        <translation>正在读取会话…</translation>
    </message>
    <message>
        <source>%1 messages on %2 days from %3 people. Busiest day: %4 (%5 messages).</source>
        <translation>%3 人在 %2 天里发了 %1 条消息。最活跃的一天：%4（%5 条）。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Summary</source>
        <translation>总结</translation>
    </message>
    <message>
        <source>Ask</source>
        <translation>提问</translation>
    </message>
    <message>
        <source>Extract</source>
        <translation>提取</translation>
    </message>
    <message>
        <source>Insights</source>
        <translation>洞察</translation>
    </message>
    <message>
        <source>Drop chat exports to import them</source>
        <translation>松开鼠标即可导入聊天记录</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Import files…</source>
        <translation>导入文件(&amp;I)…</translation>
    </message>
    <message>
        <source>Import a &amp;folder…</source>
        <translation>导入文件夹(&amp;F)…</translation>
    </message>
    <message>
        <source>Try the &amp;sample archive</source>
        <translation>试用示例档案(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation>工具(&amp;T)</translation>
    </message>
    <message>
        <source>Update the search &amp;index</source>
        <translation>更新检索索引(&amp;I)</translation>
    </message>
    <message>
        <source>&amp;Models…</source>
        <translation>模型(&amp;M)…</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>How to &amp;export chats</source>
        <translation>如何导出聊天记录(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;About chatsum</source>
        <translation>关于 chatsum(&amp;A)</translation>
    </message>
    <message>
        <source>Stop indexing</source>
        <translation>停止建索引</translation>
    </message>
    <message>
        <source>That message is no longer in the archive.</source>
        <translation>这条消息已不在档案中。</translation>
    </message>
    <message>
        <source>Import running</source>
        <translation>正在导入</translation>
    </message>
    <message>
        <source>Wait for the current import to finish, or cancel it.</source>
        <translation>请等待当前导入完成，或先取消它。</translation>
    </message>
    <message>
        <source>No sample</source>
        <translation>没有示例</translation>
    </message>
    <message>
        <source>The sample exports are missing from this installation.</source>
        <translation>此安装中缺少示例聊天记录。</translation>
    </message>
    <message>
        <source>Import chat exports</source>
        <translation>导入聊天记录</translation>
    </message>
    <message>
        <source>Chat exports (*.txt *.json *.jsonl *.csv *.html *.mht *.zip);;All files (*)</source>
        <translation>聊天记录 (*.txt *.json *.jsonl *.csv *.html *.mht *.zip);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Import a folder of exports</source>
        <translation>导入包含聊天记录的文件夹</translation>
    </message>
    <message>
        <source>Indexing…</source>
        <translation>正在建立索引…</translation>
    </message>
    <message>
        <source>Indexing: %1 of %2 messages</source>
        <translation>正在建立索引：%1 / %2 条消息</translation>
    </message>
    <message>
        <source>Search index up to date.</source>
        <translation>检索索引已是最新。</translation>
    </message>
    <message>
        <source>Indexing stopped; it resumes where it left off.</source>
        <translation>索引已停止，下次会从中断处继续。</translation>
    </message>
    <message>
        <source>Model: %1</source>
        <translation>模型：%1</translation>
    </message>
    <message>
        <source>%1 tokens/s</source>
        <translation>%1 token/秒</translation>
    </message>
    <message>
        <source>Last generation: %1 tokens in %2 s</source>
        <translation>上次生成：%1 个 token，用时 %2 秒</translation>
    </message>
    <message numerus="yes">
        <source>%n job(s) running</source>
        <translation><numerusform>%n 个任务进行中</numerusform></translation>
    </message>
    <message>
        <source>Idle</source>
        <translation>空闲</translation>
    </message>
    <message>
        <source>About chatsum</source>
        <translation>关于 chatsum</translation>
    </message>
    <message>
        <source>chatsum %1
Summaries and answers over your exported group chats, on your own computer.</source>
        <translation>chatsum %1
在你自己的电脑上总结导出的群聊并回答问题。</translation>
    </message>
    <message>
        <source>Stopping running jobs…</source>
        <translation>正在停止进行中的任务…</translation>
    </message>
</context>
<context>
    <name>MessageDelegate</name>
    <message>
        <source>Loading…</source>
        <translation>加载中…</translation>
    </message>
    <message>
        <source>(unknown sender)</source>
        <translation>（未知发送者）</translation>
    </message>
    <message>
        <source> (edited)</source>
        <translation>（已编辑）</translation>
    </message>
    <message>
        <source>Media</source>
        <translation>媒体</translation>
    </message>
    <message>
        <source>Sticker</source>
        <translation>表情</translation>
    </message>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Message deleted</source>
        <translation>消息已删除</translation>
    </message>
</context>
<context>
    <name>MessagePanel</name>
    <message>
        <source>Search in this chat</source>
        <translation>在此聊天中搜索</translation>
    </message>
    <message>
        <source>Previous match</source>
        <translation>上一个结果</translation>
    </message>
    <message>
        <source>Next match</source>
        <translation>下一个结果</translation>
    </message>
    <message>
        <source>Go to date</source>
        <translation>跳到日期</translation>
    </message>
    <message>
        <source>Select a message to read it in full.</source>
        <translation>选中一条消息查看全文。</translation>
    </message>
    <message>
        <source>Summarize selection</source>
        <translation>总结选中内容</translation>
    </message>
    <message>
        <source>Ask about selection</source>
        <translation>就选中内容提问</translation>
    </message>
    <message>
        <source>No conversation selected</source>
        <translation>未选择会话</translation>
    </message>
    <message numerus="yes">
        <source>%n message(s)</source>
        <translation><numerusform>%n 条消息</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>%n match(es)</source>
        <translation><numerusform>%n 个结果</numerusform></translation>
    </message>
    <message>
        <source>No matches</source>
        <translation>没有结果</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>第 %1 个，共 %2 个</translation>
    </message>
    <message numerus="yes">
        <source>%n message(s) selected</source>
        <translation><numerusform>已选中 %n 条消息</numerusform></translation>
    </message>
    <message>
        <source>(unknown sender)</source>
        <translation>（未知发送者）</translation>
    </message>
</context>
<context>
    <name>ModelListModel</name>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>Licence</source>
        <translation>许可证</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Checksum</source>
        <translation>校验和</translation>
    </message>
    <message>
        <source>installed</source>
        <translation>已安装</translation>
    </message>
    <message>
        <source>not installed</source>
        <translation>未安装</translation>
    </message>
    <message>
        <source>%1, in use</source>
        <translation>%1，使用中</translation>
    </message>
</context>
<context>
    <name>ModelsDialog</name>
    <message>
        <source>sha256 matches the catalog</source>
        <translation>sha256 与目录一致</translation>
    </message>
    <message>
        <source>sha256 matches the hub</source>
        <translation>sha256 与模型库一致</translation>
    </message>
    <message>
        <source>sha256 recorded at install (none published)</source>
        <translation>安装时记录的 sha256（无公开值）</translation>
    </message>
    <message>
        <source>published sha256 known</source>
        <translation>已知公开的 sha256</translation>
    </message>
    <message>
        <source>no published sha256</source>
        <translation>无公开的 sha256</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Use for summaries and answers</source>
        <translation>用于总结和问答</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>下载</translation>
    </message>
    <message>
        <source>Add a .gguf file…</source>
        <translation>添加 .gguf 文件…</translation>
    </message>
    <message>
        <source>Verify</source>
        <translation>校验</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>all</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>Layers to run on the GPU; 0 keeps the model on the CPU</source>
        <translation>放到 GPU 上运行的层数；0 表示只用 CPU</translation>
    </message>
    <message>
        <source>automatic</source>
        <translation>自动</translation>
    </message>
    <message>
        <source>%1 tokens</source>
        <translation>%1 个 token</translation>
    </message>
    <message>
        <source>Apply</source>
        <translation>应用</translation>
    </message>
    <message>
        <source>Checking this computer…</source>
        <translation>正在检查这台电脑…</translation>
    </message>
    <message>
        <source>How the model runs</source>
        <translation>模型运行方式</translation>
    </message>
    <message>
        <source>GPU layers</source>
        <translation>GPU 层数</translation>
    </message>
    <message>
        <source>CPU threads</source>
        <translation>CPU 线程数</translation>
    </message>
    <message>
        <source>Context size</source>
        <translation>上下文长度</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>Model per task</source>
        <translation>每项任务的模型</translation>
    </message>
    <message>
        <source>Summaries</source>
        <translation>总结</translation>
    </message>
    <message>
        <source>Answers</source>
        <translation>回答</translation>
    </message>
    <message>
        <source>Extraction</source>
        <translation>提取</translation>
    </message>
    <message>
        <source>This llama.cpp build can use a GPU.</source>
        <translation>此 llama.cpp 版本可以使用 GPU。</translation>
    </message>
    <message>
        <source>This llama.cpp build runs on the CPU only (no GPU backend compiled in).</source>
        <translation>此 llama.cpp 版本只能在 CPU 上运行（未编译 GPU 后端）。</translation>
    </message>
    <message>
        <source>%1 CPU cores.</source>
        <translation>%1 个 CPU 核心。</translation>
    </message>
    <message>
        <source>Now: %1</source>
        <translation>当前：%1</translation>
    </message>
    <message>
        <source>The model is not loaded yet; it loads at the first summary or question.</source>
        <translation>模型尚未加载，会在第一次总结或提问时加载。</translation>
    </message>
    <message>
        <source>Could not check GPU support: %1</source>
        <translation>无法检查 GPU 支持：%1</translation>
    </message>
    <message>
        <source>%1: %2 of %3 MB</source>
        <translation>%1：%2 / %3 MB</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>已取消。</translation>
    </message>
    <message>
        <source>%1 is now used for summaries and answers.</source>
        <translation>%1 现在用于总结和问答。</translation>
    </message>
    <message>
        <source>Same as the main model (%1)</source>
        <translation>与主模型相同（%1）</translation>
    </message>
    <message>
        <source>Model for %1: %2</source>
        <translation>%1 使用的模型：%2</translation>
    </message>
    <message>
        <source>the main model</source>
        <translation>主模型</translation>
    </message>
    <message>
        <source>Downloading %1…</source>
        <translation>正在下载 %1…</translation>
    </message>
    <message>
        <source>Add a model file</source>
        <translation>添加模型文件</translation>
    </message>
    <message>
        <source>GGUF models (*.gguf)</source>
        <translation>GGUF 模型 (*.gguf)</translation>
    </message>
    <message>
        <source>Adding %1…</source>
        <translation>正在添加 %1…</translation>
    </message>
    <message>
        <source>%1 is installed and verified.</source>
        <translation>%1 已安装并通过校验。</translation>
    </message>
    <message>
        <source>Verifying %1…</source>
        <translation>正在校验 %1…</translation>
    </message>
    <message>
        <source>verified just now ✓</source>
        <translation>刚刚校验通过 ✓</translation>
    </message>
    <message>
        <source>FAILED: %1</source>
        <translation>失败：%1</translation>
    </message>
    <message>
        <source>Remove model</source>
        <translation>删除模型</translation>
    </message>
    <message>
        <source>Delete %1 from this computer?</source>
        <translation>要从这台电脑上删除 %1 吗？</translation>
    </message>
    <message>
        <source>Removing %1…</source>
        <translation>正在删除 %1…</translation>
    </message>
    <message numerus="yes">
        <source>Removed; %n file(s) deleted.</source>
        <translation><numerusform>已删除，共删除 %n 个文件。</numerusform></translation>
    </message>
    <message>
        <source>Saved; the model reloads with these settings at the next use.</source>
        <translation>已保存；下次使用时模型会按这些设置重新加载。</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Change…</source>
        <translation>更改…</translation>
    </message>
    <message>
        <source>A new location is used the next time chatsum starts.</source>
        <translation>新位置会在下次启动 chatsum 时生效。</translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>The chat's own language</source>
        <translation>聊天本身的语言</translation>
    </message>
    <message>
        <source>Chinese</source>
        <translation>中文</translation>
    </message>
    <message>
        <source>English</source>
        <translation>英文</translation>
    </message>
    <message>
        <source>Hide phone numbers, e-mail addresses and ID numbers from the model</source>
        <translation>不让模型看到电话号码、电子邮箱和证件号码</translation>
    </message>
    <message>
        <source>A catalog id, a local folder or a hub model id</source>
        <translation>目录中的 id、本地文件夹或模型库 id</translation>
    </message>
    <message>
        <source>Below this relevance chatsum says the archive does not hold the answer</source>
        <translation>相关度低于此值时，chatsum 会说档案中没有答案</translation>
    </message>
    <message>
        <source>Data location</source>
        <translation>数据位置</translation>
    </message>
    <message>
        <source>Interface language</source>
        <translation>界面语言</translation>
    </message>
    <message>
        <source>Summary language</source>
        <translation>总结语言</translation>
    </message>
    <message>
        <source>Privacy</source>
        <translation>隐私</translation>
    </message>
    <message>
        <source>Embedder</source>
        <translation>向量模型</translation>
    </message>
    <message>
        <source>Retrieval threshold</source>
        <translation>检索阈值</translation>
    </message>
    <message>
        <source>The interface language changes the next time chatsum starts.</source>
        <translation>界面语言会在下次启动 chatsum 时切换。</translation>
    </message>
    <message>
        <source>Where chatsum keeps its data</source>
        <translation>chatsum 存放数据的位置</translation>
    </message>
</context>
<context>
    <name>SummaryPanel</name>
    <message>
        <source>Day</source>
        <translation>日</translation>
    </message>
    <message>
        <source>Week</source>
        <translation>周</translation>
    </message>
    <message>
        <source>Month</source>
        <translation>月</translation>
    </message>
    <message>
        <source>Custom range</source>
        <translation>自定义范围</translation>
    </message>
    <message>
        <source>Summarize</source>
        <translation>总结</translation>
    </message>
    <message>
        <source>Regenerate</source>
        <translation>重新生成</translation>
    </message>
    <message>
        <source>Ask the model again instead of using the saved summary</source>
        <translation>不使用已保存的总结，重新让模型生成</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>Markdown…</source>
        <translation>Markdown…</translation>
    </message>
    <message>
        <source>HTML…</source>
        <translation>HTML…</translation>
    </message>
    <message>
        <source>PDF…</source>
        <translation>PDF…</translation>
    </message>
    <message>
        <source>Pick a day, week or month and press Summarize.</source>
        <translation>选择某一天、某一周或某个月，然后点“总结”。</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>正在开始…</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <source>Reading messages</source>
        <translation>正在读取消息</translation>
    </message>
    <message>
        <source>Found a saved summary</source>
        <translation>找到已保存的总结</translation>
    </message>
    <message>
        <source>Preparing the chat</source>
        <translation>正在准备聊天内容</translation>
    </message>
    <message>
        <source>The model is reading the chat</source>
        <translation>模型正在阅读聊天</translation>
    </message>
    <message>
        <source>Summarizing part by part</source>
        <translation>正在分段总结</translation>
    </message>
    <message>
        <source>Merging topics</source>
        <translation>正在合并话题</translation>
    </message>
    <message>
        <source>Building the week from its days</source>
        <translation>正在由每日总结汇总成周</translation>
    </message>
    <message>
        <source>Building the month from its weeks</source>
        <translation>正在由每周总结汇总成月</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>完成</translation>
    </message>
    <message>
        <source>The model is writing… %1 pieces in %2 s</source>
        <translation>模型正在写作… %2 秒内 %1 段</translation>
    </message>
    <message>
        <source>Cancelled; nothing was saved.</source>
        <translation>已取消，没有保存任何内容。</translation>
    </message>
    <message>
        <source>Nothing to summarize in this period.</source>
        <translation>这段时间没有可总结的内容。</translation>
    </message>
    <message>
        <source>Summary from the saved copy.</source>
        <translation>这是已保存的总结。</translation>
    </message>
    <message>
        <source>Summary ready.</source>
        <translation>总结完成。</translation>
    </message>
    <message>
        <source>%1 messages</source>
        <translation>%1 条消息</translation>
    </message>
    <message>
        <source>model %1</source>
        <translation>模型 %1</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message numerus="yes">
        <source>%n unverified claim(s)</source>
        <translation><numerusform>%n 条说法未经证实</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>%n view(s) re-attributed to their author</source>
        <translation><numerusform>%n 条观点已改归其真正作者</numerusform></translation>
    </message>
    <message>
        <source>flags: %1</source>
        <translation>标记：%1</translation>
    </message>
    <message>
        <source>Copied as Markdown.</source>
        <translation>已复制为 Markdown。</translation>
    </message>
    <message>
        <source>Markdown (*.md)</source>
        <translation>Markdown (*.md)</translation>
    </message>
    <message>
        <source>Web page (*.html)</source>
        <translation>网页 (*.html)</translation>
    </message>
    <message>
        <source>PDF (*.pdf)</source>
        <translation>PDF (*.pdf)</translation>
    </message>
    <message>
        <source>Export summary</source>
        <translation>导出总结</translation>
    </message>
    <message>
        <source>Exported to %1</source>
        <translation>已导出到 %1</translation>
    </message>
</context>
<context>
    <name>SummaryRender</name>
    <message>
        <source>Key points</source>
        <translation>要点</translation>
    </message>
    <message>
        <source>Views</source>
        <translation>各方观点</translation>
    </message>
    <message>
        <source>Decisions</source>
        <translation>决定</translation>
    </message>
    <message>
        <source>Open questions</source>
        <translation>待解决的问题</translation>
    </message>
    <message>
        <source>Action items</source>
        <translation>待办事项</translation>
    </message>
    <message>
        <source>(message no longer in the archive)</source>
        <translation>（消息已不在档案中）</translation>
    </message>
    <message>
        <source>(system)</source>
        <translation>（系统）</translation>
    </message>
    <message>
        <source>the model first credited %1</source>
        <translation>模型最初归给了 %1</translation>
    </message>
    <message>
        <source>unverified: no message supports this</source>
        <translation>未经证实：没有消息支持这一点</translation>
    </message>
    <message>
        <source>Sources</source>
        <translation>出处</translation>
    </message>
</context>
</TS>