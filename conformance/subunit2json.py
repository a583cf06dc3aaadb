"""subunit v2 (stdin) -> one JSON object per test (stdout), with its text attachments.

Run with Debian's /usr/bin/python3 (python3-subunit, python3-testtools come with stestr).
"""
import json
import sys

import subunit
import testtools


def emit(test):
    details = {}
    for name, content in test['details'].items():
        try:
            details[name] = content.as_text()
        except Exception:  # binary attachment: not useful in a report
            pass
    stamps = [t.isoformat() for t in test['timestamps'] if t is not None]
    print(json.dumps({'id': test['id'], 'status': test['status'],
                      'tags': sorted(test['tags']), 'timestamps': stamps,
                      'details': details}))


stream = subunit.ByteStreamToStreamResult(sys.stdin.buffer,
                                          non_subunit_name='stdout')
result = testtools.StreamToDict(emit)
result.startTestRun()
stream.run(result)
result.stopTestRun()
