"""Every business rule of ringi, pure: no I/O, no clock (time is an argument), no settings; imports only schemas/.

The workflow sandbox, the API, the activities and the tests call the same functions, so each rule is written once.
"""
