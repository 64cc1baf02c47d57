"""The foundation: categories, topics and replies with their counters."""

from plugins.discuss.models import Category, Post, Topic
from space.db import db


def test_topic_and_replies_keep_counters(app, make):
    category = make.category("General")
    topic = make.topic(category=category)
    first = make.reply(topic)
    make.reply(topic, reply_to=first.post_number)
    db.session.expire_all()
    topic = db.session.get(Topic, topic.id)
    assert topic.post_count == 3 and topic.highest_post_number == 3
    assert topic.participant_count == 3
    assert db.session.get(Post, first.id).reply_count == 1
    category = db.session.get(Category, category.id)
    assert category.topic_count == 1 and category.post_count == 2
