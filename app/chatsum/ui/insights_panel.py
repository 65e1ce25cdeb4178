"""The Insights tab: pictures of a conversation people would rather look at than read.

Messages per day, activity by weekday and hour, the most active members come
from the conversation profile (one pass in a worker, shared with the message
view's date separators); the topic timeline comes from the summaries shown in
this session (see `summary_log`), so it costs no model call.
"""

from __future__ import annotations

from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from chatsum.ui.charts import DailyActivityChart, HeatmapChart, RankingChart, TimelineChart
from chatsum.ui.i18n import fill
from chatsum.ui.profile import ConversationProfile, day_to_date


class InsightsPanel(QScrollArea):
    """Four charts and a one-line summary of the conversation's activity."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        body = QWidget()
        self.headline = QLabel()
        self.headline.setWordWrap(True)
        self.headline.setTextFormat(Qt.TextFormat.PlainText)
        self.daily = DailyActivityChart(self.tr("Messages per day"))
        self.heatmap = HeatmapChart(self.tr("Activity by weekday and hour"))
        self.members = RankingChart(self.tr("Most active members"))
        self.timeline = TimelineChart(self.tr("Topics over time (summaries made this session)"))
        empty = self.tr("No messages yet.")
        for chart in (self.daily, self.heatmap, self.members):
            chart.empty_text = empty
            chart.setMinimumHeight(190)
        self.timeline.empty_text = self.tr(
            "Summarize some days or weeks and their topics appear here."
        )
        self.timeline.setMinimumHeight(150)
        grid = QGridLayout()
        grid.addWidget(self.daily, 0, 0, 1, 2)
        grid.addWidget(self.heatmap, 1, 0, 1, 2)
        grid.addWidget(self.members, 2, 0, 1, 2)
        grid.addWidget(self.timeline, 3, 0, 1, 2)
        layout = QVBoxLayout(body)
        layout.addWidget(self.headline)
        layout.addLayout(grid)
        layout.addStretch(1)
        self.setWidget(body)
        self.clear()

    def clear(self) -> None:
        self.headline.setText(self.tr("Select a conversation to see its activity."))
        self.daily.set_data([])
        self.heatmap.set_data([])
        self.members.set_data([])
        self.timeline.set_data([])

    def show_loading(self) -> None:
        self.headline.setText(self.tr("Reading the conversation…"))

    def set_profile(self, profile: ConversationProfile) -> None:
        self.daily.set_data(profile.per_day)
        self.heatmap.set_data(profile.hour_weekday)
        self.members.set_data(profile.senders)
        if not profile.per_day:
            self.headline.setText(self.tr("No messages yet."))
            return
        busiest_day, busiest_count = max(profile.per_day, key=lambda item: item[1])
        active_days = len(profile.per_day)
        locale = QLocale()
        self.headline.setText(
            fill(
                self.tr("%1 messages on %2 days from %3 people. Busiest day: %4 (%5 messages)."),
                locale.toString(profile.message_count),
                locale.toString(active_days),
                locale.toString(len(profile.senders)),
                day_to_date(busiest_day).isoformat(),
                locale.toString(busiest_count),
            )
        )

    def set_topics(self, items: list[tuple[int, int, str]]) -> None:
        """(since_ms, until_ms, topic title) of the summaries shown so far."""
        self.timeline.set_data(items)
