"""The simulated user's words: every sentence the rule-based user can say, as plain data.

All text is ASCII, first-person, casual speech of someone chatting with an assistant.

* :data:`SPECIFIC_HINTS` -- ``slot -> value -> sentences`` that imply one value *implicitly*
  (paraphrased, without naming it): ``"Another night shift on the ward..."`` -> nurse.
* :data:`AMBIGUOUS_HINTS` -- ``slot -> ((sentence, compatible_values), ...)``: sentences that fit
  two or three values of a slot equally well. Every value appears in at least one of them.
* :data:`DIRECT_ANSWERS` -- ``slot -> value -> sentences`` answering a direct question
  explicitly (they usually name the value).
* :data:`QUESTION_KEYWORDS` -- ``slot -> lowercase phrases``; an assistant reply containing a
  ``"?"`` and one of them is asking about that slot.
* :data:`DEFLECTIONS` -- polite refusals of a personal question.
* :data:`DRIFT_ANNOUNCEMENTS` -- ``slot -> templates`` with a ``{value}`` placeholder (filled with
  the raw value string) for announcing that this aspect of the user changed.
* :data:`REACTIONS` -- ``kind -> phrasings`` of the user's reaction to the last reply;
  ``disliked_topic`` templates contain ``{topic}``, ``diet_violation`` templates ``{diet}``.

Every hint/answer phrasing (the first three groups, see :func:`all_phrasings`) is unique and none
is a substring of another (case-insensitive), so which cue was spoken can be recovered from a
message by substring search. Keys equal :data:`persona_env.schema.DEFAULT_SCHEMA`'s slot names and
values; ``tests/test_lexicon.py`` checks these properties.
"""

from __future__ import annotations

# ---------------------------------------------------------------------------------------------
# Implicit, value-specific hints
# ---------------------------------------------------------------------------------------------

SPECIFIC_HINTS: dict[str, dict[str, tuple[str, ...]]] = {
    "age": {
        "18-24": (
            "I turned twenty last spring and honestly still feel like a teenager.",
            "Uni finals are behind me and now I'm hunting for my first proper job.",
            "I'm barely out of my teens, so adult life still feels brand new.",
        ),
        "25-34": (
            "My thirtieth birthday party is still a blurry memory.",
            "Half my friends are getting engaged now that we're all pushing thirty.",
            "I'm in my late twenties and only now starting to feel like a proper adult.",
        ),
        "35-44": (
            "Turning forty last year hit me harder than I expected.",
            "I'm closer to forty than thirty now, and my knees know it.",
            "My school reunion marked twenty years this summer, which made me feel old.",
        ),
        "45-54": (
            "I just celebrated my fiftieth with a big family dinner.",
            "My late forties arrived with reading glasses and a dodgy knee.",
            "Thirty years in the workforce and my half-century is only a couple of years off.",
        ),
        "55-64": (
            "I turned sixty this spring and the whole family made a huge fuss.",
            "My late fifties have been kinder to me than I expected.",
            "Retirement is only a few years off now, and I'm already counting down.",
        ),
        "65+": (
            "I've had my free bus pass for years and use it every single day.",
            "Seventy-odd years on this earth have taught me to take mornings slowly.",
            "My great-grandson just started school, if you can believe it.",
        ),
    },
    "gender": {
        "female": (
            "My fellow mums at the school gate swear by that kind of thing.",
            "My sisters and I have a girls' weekend away every autumn.",
            "I'm the only woman on my team, so I'm used to being outnumbered.",
        ),
        "male": (
            "The lads from work would never let me hear the end of it.",
            "My barber keeps nagging me to keep my beard tidier.",
            "I'm one of only two blokes in my evening pottery class.",
        ),
        "non-binary": (
            "I use they/them pronouns, just so you know.",
            "Neither 'he' nor 'she' really fits me, so my friends use 'they'.",
            "I never quite fit into the man or woman boxes on forms.",
        ),
    },
    "interests": {
        "hiking": (
            "Nothing beats a long trail walk with a packed lunch at the summit.",
            "I just broke in a new pair of walking boots on a twelve-mile trail.",
            "My weekends are mostly spent following waymarked paths up and down hills.",
        ),
        "cooking": (
            "I spent all Sunday perfecting a slow-braised ragu from scratch.",
            "I've got a shelf overflowing with recipe books that I actually use.",
            "Friends say my homemade curries beat anything from the takeaway.",
        ),
        "photography": (
            "I never leave the house without my camera and a spare lens.",
            "Golden hour is sacred to me, I'm always out chasing the light.",
            "I spend my evenings editing the shots I took over the weekend.",
        ),
        "video games": (
            "I stayed up far too late last night trying to beat a boss level.",
            "My console gets more use than my oven, to be honest.",
            "I've sunk about three hundred hours into one open-world RPG this year.",
        ),
        "gardening": (
            "My tomatoes are finally ripening, and I've been out weeding every evening.",
            "I've got soil under my fingernails most weekends, pottering in the veg patch.",
            "The first thing I do each morning is check on my seedlings.",
        ),
        "jazz": (
            "I've been spinning old Coltrane and Miles Davis records all week.",
            "Give me a dim little club with a saxophone solo and I'm happy.",
            "Improvised horn solos over a walking bassline are my idea of heaven.",
        ),
        "football": (
            "I've had a season ticket at my local club for fifteen years.",
            "My whole Saturday mood depends on whether my team won.",
            "I play five-a-side every Tuesday and never miss the weekend fixtures.",
        ),
        "painting": (
            "I've been working on a watercolour of the harbour for weeks.",
            "My spare room smells permanently of oils and turpentine.",
            "I'm never happier than with a brush in hand and a blank canvas.",
        ),
        "reading": (
            "I always have a novel on the go, usually two.",
            "My bedside table is a teetering stack of library books.",
            "I'm in two book clubs and still can't keep up with my list.",
        ),
        "travel": (
            "I've got a scratch map on my wall and I'm slowly filling it in.",
            "Every spare penny I have goes on plane tickets to somewhere new.",
            "My passport is nearly full of stamps and I'm already planning the next trip.",
        ),
        "yoga": (
            "I roll out my mat every morning for a few sun salutations.",
            "Downward dog is basically my favourite way to start the day.",
            "My Tuesday flow class is the calmest hour of my week.",
        ),
        "chess": (
            "I play a few blitz games online every night before bed.",
            "I've been studying openings all week, mostly the Sicilian.",
            "I spent my lunch break working through endgame puzzles with rooks and pawns.",
        ),
        "cycling": (
            "Sixty miles in the saddle on Sunday and my legs are still feeling it.",
            "I own more lycra and spare inner tubes than I'd like to admit.",
            "My weekends revolve around long loops on my road bike.",
        ),
        "astronomy": (
            "I was up till three watching the Perseids through my telescope.",
            "I check the cloud forecast every night hoping for a clear view of Saturn.",
            "I love driving far from the streetlights just to look up at the stars.",
        ),
        "baking": (
            "My sourdough starter is basically a family pet at this point.",
            "I spent the whole afternoon trying to get my croissant lamination right.",
            "The whole office knows I bring in a fresh tray of scones every Friday.",
        ),
        "fishing": (
            "I was out on the riverbank at dawn with my rod again.",
            "I tie my own flies over the winter, ready for trout season.",
            "Sitting by a lake waiting for a bite is my idea of meditation.",
        ),
    },
    "education": {
        "high school": (
            "I left school at eighteen and went straight into work.",
            "My schooling stopped after my A-levels, and I've been working ever since.",
            "I never bothered with university, my school exams were enough for me.",
        ),
        "vocational training": (
            "I learned my trade through a three-year apprenticeship rather than university.",
            "I did a hands-on course at the local technical college and got certified.",
            "My qualifications come from a workshop and a trade college, not a lecture hall.",
        ),
        "bachelor's degree": (
            "My three-year undergrad course was the best time of my life.",
            "I finished my BA and went straight into work, no postgrad for me.",
            "I still have the mortarboard photo from finishing my undergrad.",
        ),
        "master's degree": (
            "I did a one-year postgrad course straight after my first degree.",
            "My MSc dissertation nearly broke me, but I got through it.",
            "I stayed on at uni for a postgraduate year but stopped short of a doctorate.",
        ),
        "phd": (
            "I spent five years writing a doctoral thesis on soil microbes.",
            "My viva was the most terrifying two hours of my life.",
            "After my thesis defence I swore I'd never write another footnote.",
        ),
    },
    "personality_traits": {
        "introverted": (
            "After a party I need a whole quiet day alone to recharge.",
            "Small talk drains me, I'd much rather have one quiet conversation.",
            "I let calls go to voicemail because talking to people wears me out.",
        ),
        "extroverted": (
            "I get restless if I spend an evening without seeing people.",
            "I'll happily chat to anyone, strangers on the train included.",
            "Big gatherings leave me buzzing, being around people recharges me.",
        ),
        "curious": (
            "I fall down internet rabbit holes about how things work all the time.",
            "I can never resist asking why, about pretty much everything.",
            "I'm always the one asking the tour guide twenty follow-up questions.",
        ),
        "anxious": (
            "I tend to overthink everything and lie awake worrying.",
            "Even small decisions make my stomach knot up with nerves.",
            "I rehearse phone calls in my head before I make them, just in case.",
        ),
        "organised": (
            "My calendar is colour-coded and my inbox is always at zero.",
            "I have a spreadsheet for everything, even my holiday packing.",
            "Everything in my kitchen cupboards is labelled and in its proper place.",
        ),
        "spontaneous": (
            "I once booked a flight on a Friday afternoon and left that evening.",
            "Fixed plans bore me, I'd rather see where the day takes me.",
            "Half my best memories started with someone saying 'let's just go'.",
        ),
        "patient": (
            "Waiting in long queues never really bothers me.",
            "I'm happy to take things slowly and let them unfold at their own pace.",
            "It takes an awful lot for me to lose my cool.",
        ),
        "competitive": (
            "Losing, even at cards, genuinely ruins my evening.",
            "I track my stats obsessively because I hate coming second.",
            "I turn everything into a race, even the weekly food shop.",
        ),
        "optimistic": (
            "I always assume things will work out in the end, and they usually do.",
            "My glass is always half full, even on a rainy Monday.",
            "Every setback just feels like the start of something better to me.",
        ),
        "sceptical": (
            "I never believe a claim until I've seen the evidence myself.",
            "Whenever someone calls a product miraculous, I go looking for the catch.",
            "I double-check every statistic I read online before I trust it.",
        ),
        "creative": (
            "My head is always full of new ideas for things to make.",
            "I can't stop doodling, writing little stories and inventing things.",
            "I'd rather invent my own way of doing something than follow instructions.",
        ),
        "practical": (
            "I care about what actually works, not what looks good on paper.",
            "Give me a useful gadget over a pretty ornament any day.",
            "I'm the one who fixes the leaky tap while everyone else is still googling it.",
        ),
    },
    "occupation": {
        "nurse": (
            "Another night shift on the ward, so I'm running on coffee.",
            "I spent twelve hours checking drips and doing obs rounds today.",
            "Handing out meds and changing dressings all day leaves me shattered.",
        ),
        "software engineer": (
            "I spent all afternoon hunting down a bug in our backend code.",
            "My day is mostly code reviews, stand-ups and fixing failed deployments.",
            "I write Python for a living and dream about merge conflicts.",
        ),
        "teacher": (
            "I've got thirty essays to mark before Monday's lessons.",
            "Parents' evening ran late again and I still need to plan tomorrow's lessons.",
            "My classroom of fourteen-year-olds wore me out today.",
        ),
        "student": (
            "I've got a dissertation deadline and an exam in the same week.",
            "My loan barely covers rent, so it's instant noodles between lectures.",
            "I'm in my second year at uni, juggling seminars and a part-time job.",
        ),
        "chef": (
            "Service was brutal tonight, forty covers and two cooks off sick.",
            "I run the pass in a busy restaurant kitchen most evenings.",
            "I spend my days on the line, shouting 'behind' and plating up.",
        ),
        "accountant": (
            "It's tax season, so I'm buried in balance sheets until April.",
            "I spend my days reconciling ledgers and chasing receipts from clients.",
            "Year-end audits mean I've been staring at figures for weeks.",
        ),
        "retiree": (
            "Since I stopped working for good, my days are finally my own.",
            "Now that I'm drawing my pension, every day feels like a Saturday.",
            "I finished my last day at the office after forty years and never looked back.",
        ),
        "farmer": (
            "I was up before dawn to milk the herd and check the fences.",
            "Harvest is coming, so I'll be on the tractor from sunrise to dark.",
            "Lambing season means I've barely slept for three weeks.",
        ),
        "lawyer": (
            "I've got a court hearing tomorrow and a stack of contracts to review.",
            "I bill my time in six-minute increments, which ruins your sense of fun.",
            "My client's case goes to trial next week, so it's all hands on deck.",
        ),
        "graphic designer": (
            "I spent all day tweaking a logo because the client hated the font.",
            "My job is mostly Illustrator, colour palettes and arguing about kerning.",
            "I make posters and brand identities for small businesses.",
        ),
        "electrician": (
            "I spent the morning rewiring a fuse box in someone's loft.",
            "I crawl under floorboards pulling cable for a living.",
            "Fitting sockets and testing circuits all day pays the bills.",
        ),
        "journalist": (
            "I'm on deadline for a piece about the council elections.",
            "I spent the afternoon chasing a source who won't return my calls.",
            "My editor wants the story filed by six, so I'm typing like mad.",
        ),
        "doctor": (
            "I've got a full surgery of appointments and only ten minutes for each.",
            "I spend my days diagnosing patients and writing prescriptions.",
            "Years of med school, and now I'm on call every other weekend.",
        ),
        "shop owner": (
            "Running my own little boutique means I'm behind the till six days a week.",
            "I flip the sign to 'open' every morning at nine, rain or shine.",
            "Between ordering stock and paying my staff, my little business keeps me busy.",
        ),
    },
    "marital_status": {
        "single": (
            "I've been on three dating app dates this month and none of them clicked.",
            "I'm happily unattached, so I only have myself to plan around.",
            "My friends keep trying to set me up with people.",
        ),
        "in a relationship": (
            "My partner and I have been together three years, no wedding plans yet.",
            "We're coming up on our second anniversary of dating.",
            "I'm meeting my girlfriend's parents for the first time next week.",
        ),
        "married": (
            "Our wedding anniversary is next week and I still haven't got a present.",
            "Twelve years of marriage and we still argue about the thermostat.",
            "My spouse and I still bicker about whose turn it is to cook.",
        ),
        "divorced": (
            "My ex and I share custody, so every other weekend is quiet.",
            "Signing the final papers to end my marriage was a relief, honestly.",
            "Since my ex and I split, I've had to learn to do everything myself again.",
        ),
        "widowed": (
            "Since my spouse passed away, the house feels far too quiet.",
            "I still set out two mugs some mornings, years after the funeral.",
            "Being the one left behind after forty years together is hard.",
        ),
    },
    "family": {
        "no children": (
            "Nobody calls me mum or dad, and I'm perfectly fine with that.",
            "Our house is quiet, there are no school runs or bedtimes to worry about.",
            "I've never had kids, so my weekends are entirely my own.",
        ),
        "young children": (
            "My toddler woke me up at five again this morning.",
            "Bath time, bedtime stories and nappy changes eat up my evenings.",
            "I've got a four-year-old and a baby, so sleep is a distant memory.",
        ),
        "teenage children": (
            "My fifteen-year-old only talks to me when he needs a lift.",
            "I spend my evenings nagging my teens to get off their phones.",
            "It's all exam revision and slammed bedroom doors in our house right now.",
        ),
        "grown-up children": (
            "My kids have all left home, so the spare rooms are finally free.",
            "Now that my youngest has flown the nest, the house feels huge.",
            "My son rings me every Sunday from his own flat across the country.",
        ),
        "lives with parents": (
            "I still sleep in my childhood bedroom, and Mum still does my laundry.",
            "I moved back in with my mum and dad to save on rent.",
            "Sharing a house with my parents at my age has its perks.",
        ),
        "cares for a parent": (
            "My dad's dementia means I drive over every day to help him.",
            "I juggle work around my mother's hospital appointments.",
            "Mum moved in with me after her fall, so I help her wash and dress.",
        ),
    },
    "location": {
        "big city": (
            "The underground was rammed again and the sirens never stop round here.",
            "My flat is on the twelfth floor, looking out over skyscrapers and traffic.",
            "Where I live I can get a takeaway of any cuisine at three in the morning.",
        ),
        "suburbs": (
            "It's all cul-de-sacs, lawns and school runs round my way.",
            "I live on a quiet estate with a driveway, twenty minutes by train from the centre.",
            "My neighbours compete over who has the neatest hedge.",
        ),
        "small town": (
            "Everyone knows everyone here, and there's exactly one pub.",
            "Our high street has a bakery, a butcher and not much else.",
            "I can't buy a pint of milk without bumping into three people I know.",
        ),
        "countryside": (
            "My nearest neighbour is a mile away across the fields.",
            "I hear more sheep than cars from my kitchen window.",
            "There's no bus out here, just narrow lanes, hedgerows and farmland.",
        ),
        "by the sea": (
            "I can hear the waves from my bedroom window every night.",
            "My morning walk is along the promenade, dodging seagulls.",
            "The salty air rusts everything here, but I love the harbour views.",
        ),
        "mountains": (
            "Our village is snowed in half the winter, high up in the Alps.",
            "I look out at snow-capped peaks from my kitchen every morning.",
            "The air is thin up here, and the nearest town is down a winding pass.",
        ),
    },
    "other": {
        "has a dog": (
            "I have to head off soon, the pup needs his evening walk.",
            "My spaniel drags me round the park twice a day.",
            "My labrador chewed up another one of my slippers yesterday.",
        ),
        "has a cat": (
            "My tabby insists on sleeping on my keyboard whenever I work.",
            "I get woken at six every day by someone purring and demanding breakfast.",
            "There's fur on every jumper I own, courtesy of my moggy.",
        ),
        "recently moved": (
            "I'm still living out of boxes since the move last month.",
            "I've only just unpacked and still don't know where the nearest shop is.",
            "New postcode, new neighbours, and I still can't find the light switches.",
        ),
        "learning a language": (
            "I've been doing my Spanish flashcards every day for a year now.",
            "My conjugation drills are paying off, I ordered dinner in Italian last week.",
            "I've got a seven-hundred-day streak on Duolingo and I'm proud of it.",
        ),
        "training for a marathon": (
            "My long run this Sunday is twenty miles, and race day is six weeks off.",
            "I'm following a sixteen-week plan to finish my first 26.2.",
            "I'm clocking up fifty miles a week ahead of the big race in April.",
        ),
        "night owl": (
            "I'm most awake after midnight, that's when I get anything done.",
            "Bedtime for me is usually around three in the morning.",
            "My brain only switches on once the rest of the house is asleep.",
        ),
        "early riser": (
            "My body clock has me up at five, alarm or no alarm.",
            "By the time the neighbours stir, I've had breakfast and read the news.",
            "I've never needed an alarm, I'm wide awake before dawn every day.",
        ),
        "volunteers": (
            "I spend Saturday mornings sorting donations at the food bank.",
            "I give a few hours a week to the local animal shelter, unpaid and happy.",
            "I help out at a charity shop on Thursdays, just for the tea and the company.",
        ),
        "works from home": (
            "My commute is from the bedroom to the kitchen table.",
            "Most of my colleagues only know me as a face on a video call.",
            "I haven't set foot in an office in years, my laptop lives in the spare room.",
        ),
        "long commute": (
            "I spend nearly two hours each way on the train to get to work.",
            "My drive to the office is ninety minutes if the traffic behaves.",
            "I've got through entire audiobooks on my journey into work.",
        ),
        "saving for a house": (
            "Every spare pound goes into my deposit fund for a first home.",
            "I'm skipping holidays this year to scrape together a mortgage deposit.",
            "I'm tired of renting, so I'm putting everything aside to buy my own place.",
        ),
        "recovering from an injury": (
            "I'm still on crutches after tearing a ligament in my knee.",
            "My physio has me doing rehab exercises three times a day.",
            "Since I broke my wrist, even opening jars is a struggle.",
        ),
    },
    "verbosity": {
        "brief": (
            "I only ever skim, so short answers suit me best.",
            "Just give me the gist, I don't need the whole backstory.",
            "A couple of lines is plenty for me, honestly.",
        ),
        "moderate": (
            "A short paragraph or so is about right for me.",
            "Not too long, not too short, just enough to get the idea across.",
            "Some explanation is nice, but please don't write me a novel.",
        ),
        "detailed": (
            "I like to understand everything, so walk me through every step.",
            "Give me all the ins and outs, I love a thorough explanation.",
            "The more depth you go into, the happier I am.",
        ),
    },
    "formality": {
        "casual": (
            "No need to be stiff with me, just talk like a mate would.",
            "Chat to me like we're down the pub, none of that corporate stuff.",
            "Slang and all is fine by me, I'm pretty laid-back.",
        ),
        "neutral": (
            "Plain, ordinary language works for me, neither chummy nor stuffy.",
            "Just talk to me normally, nothing too matey and nothing too stiff.",
            "A regular, everyday tone is fine by me.",
        ),
        "formal": (
            "I appreciate proper, polite language, as one would use in a business letter.",
            "Please address me properly, I'm rather old-fashioned about manners.",
            "I prefer a professional, courteous tone with no slang whatsoever.",
        ),
    },
    "emoji": {
        "no emoji": (
            "Little pictures and smiley faces in messages just irritate me.",
            "I like my messages to be words only, no cartoon faces.",
            "Those tiny yellow faces in texts make everything feel childish to me.",
        ),
        "likes emoji": (
            "My texts are basically half smiley faces.",
            "A message without a little heart or thumbs-up feels cold to me.",
            "I can't send a message without a few tiny pictures in it.",
        ),
    },
    "humour": {
        "serious": (
            "I'm not one for jokes, I'd rather things stay sober and focused.",
            "Puns and banter aren't really my thing, I just want the facts.",
            "I prefer an earnest, no-nonsense tone, jokes tend to grate on me.",
        ),
        "playful": (
            "I love a good pun, the cheesier the better.",
            "A bit of banter makes any conversation more fun for me.",
            "If you can make me laugh while helping, even better.",
        ),
    },
    "directness": {
        "direct": (
            "Don't sugarcoat it, just tell me straight.",
            "I'd rather hear the blunt truth than be handled gently.",
            "Skip the cushioning and give me your honest verdict.",
        ),
        "diplomatic": (
            "Please let me down gently if my idea is a bad one.",
            "I appreciate tact, hard truths land better with a soft touch.",
            "Go easy on me, I take criticism better when it's wrapped kindly.",
        ),
    },
    "likes": {
        "spicy food": (
            "The hotter the chilli, the happier I am.",
            "I put hot sauce on practically everything I eat.",
            "A curry that makes my eyes water is my idea of a perfect dinner.",
        ),
        "sweets": (
            "I always keep a stash of chocolate and gummy bears in my desk.",
            "I've got a shocking sweet tooth, pudding is the best part of any meal.",
            "Nothing cheers me up like a big bag of pick-and-mix.",
        ),
        "seafood": (
            "Give me a plate of fresh oysters and prawns and I'm in heaven.",
            "Grilled squid or a big bowl of mussels is my favourite treat.",
            "Whenever I'm near a harbour I head straight for the crab shack.",
        ),
        "coffee": (
            "I can't function before my second espresso.",
            "I know all the best independent roasters in town.",
            "My favourite part of the day is grinding fresh beans for a flat white.",
        ),
        "podcasts": (
            "I always have some chat show episode playing in my earbuds.",
            "I subscribe to about twenty audio shows and never miss an episode.",
            "True-crime audio series keep me company on every walk, I love them.",
        ),
        "documentaries": (
            "I love a good nature series narrated by David Attenborough.",
            "My streaming queue is all true-story films about history and science.",
            "Give me a factual film about a real scandal over a blockbuster any day.",
        ),
        "horror films": (
            "Nothing beats a scary movie that makes me sleep with the lights on.",
            "I watch slasher flicks every Halloween and half the year besides.",
            "A good jump scare on movie night is my idea of fun.",
        ),
        "crowds": (
            "I love the buzz of a packed stadium or a heaving festival.",
            "The busier the market, the more alive I feel.",
            "Squeezing along a bustling street with thousands of people really excites me.",
        ),
        "museums": (
            "I could spend a whole day wandering round galleries and exhibits.",
            "Old artefacts behind glass cases fascinate me every time.",
            "My favourite rainy day is spent at an exhibition about ancient history.",
        ),
        "live music": (
            "Nothing beats standing near the stage when the band kicks in.",
            "I go to at least two gigs a month and love every minute.",
            "Hearing a band play in a sweaty little venue makes my week.",
        ),
        "long reads": (
            "I love sinking into a ten-thousand-word magazine feature on a Sunday.",
            "Give me an in-depth article that takes an hour to get through, I'm happy.",
            "I save lengthy investigative articles to savour over the weekend.",
        ),
        "early mornings": (
            "The first light of dawn, with the world still quiet, is my favourite time.",
            "I love being out before sunrise when the streets are empty.",
            "Watching the sun come up with a cuppa is pure bliss to me.",
        ),
        "board games": (
            "Our Friday tradition is a table covered in dice, cards and counters.",
            "I've got a cupboard crammed with tabletop games and I love every one.",
            "Nothing beats an evening of Catan or Ticket to Ride with friends.",
        ),
        "online shopping": (
            "I love the thrill of a parcel arriving at my door.",
            "Scrolling through shopping apps late at night is my guilty pleasure.",
            "The delivery driver knows me by name, and I'm not even sorry.",
        ),
    },
    "dislikes": {
        "spicy food": (
            "Even a little chilli has me reaching for a glass of milk.",
            "I can't handle anything hot, mild is as far as I go.",
            "Pepper sauces and fiery curries are my worst nightmare at dinner.",
        ),
        "sweets": (
            "Sugary stuff makes me feel queasy, I always skip dessert.",
            "I've never had a sweet tooth, cake just doesn't appeal.",
            "Candy and chocolate bars do nothing for me, they're far too sickly.",
        ),
        "seafood": (
            "The smell of fish makes me feel ill, and prawns are even worse.",
            "Anything that came out of the ocean stays off my plate.",
            "Mussels, squid, oysters, no thanks, I'd rather go hungry.",
        ),
        "coffee": (
            "The smell of espresso turns my stomach, I stick to tea.",
            "I've never understood the fuss about lattes, they taste bitter and awful.",
            "Cafe menus full of espresso drinks are wasted on me, I hate the taste.",
        ),
        "podcasts": (
            "People rambling into microphones for two hours bore me to tears.",
            "Everyone keeps recommending audio shows, but I can't stand listening to them.",
            "Hour-long chat episodes in my ears? I'd rather sit in silence.",
        ),
        "documentaries": (
            "Factual films send me straight to sleep, I find them so dull.",
            "Nature programmes with slow narration bore me rigid.",
            "True-story films on streaming services just aren't for me, far too dry.",
        ),
        "horror films": (
            "Scary movies give me nightmares, so I refuse to watch them.",
            "Gore and jump scares are a hard no for me.",
            "I had to walk out of a slasher flick halfway through once, never again.",
        ),
        "crowds": (
            "Packed places make me want to turn straight around.",
            "Shuffling shoulder to shoulder down a busy street is my idea of hell.",
            "I avoid the shops on Saturdays because the crush of people is unbearable.",
        ),
        "museums": (
            "Shuffling past glass cases of old pots bores me silly.",
            "Exhibitions and galleries just aren't my thing, I'm bored within minutes.",
            "Guided tours of historic artefacts make me want to yawn.",
        ),
        "live music": (
            "Gigs are too loud and sweaty for me, I'd rather listen at home.",
            "Standing in a packed venue while a band blasts my ears sounds awful.",
            "Concerts give me a headache, the noise is just too much.",
        ),
        "long reads": (
            "If an article scrolls on forever, I give up halfway.",
            "Ten-thousand-word features? I lose interest after the first screen.",
            "I hate articles that take twenty minutes to get to the point.",
        ),
        "early mornings": (
            "Getting up before seven feels like a cruel punishment.",
            "Dawn alarms are the bane of my existence.",
            "Don't talk to me before nine, I'm useless and grumpy until then.",
        ),
        "board games": (
            "Hours of rolling dice and moving counters around bores me stiff.",
            "Monopoly night is the one family tradition I dread.",
            "Tabletop games with thick rulebooks make my eyes glaze over.",
        ),
        "online shopping": (
            "Buying things through a screen stresses me out, I like to touch them first.",
            "Endless delivery boxes and returns labels drive me mad.",
            "I'd rather walk to a proper shop than click 'add to basket' any day.",
        ),
    },
    "diet": {
        "no restrictions": (
            "I'll eat pretty much anything you put in front of me.",
            "No allergies, no rules, I'm happy with whatever's on the menu.",
            "I'm not fussy at all about food, everything is fair game.",
        ),
        "vegetarian": (
            "I stopped eating meat years ago, but I still love cheese and eggs.",
            "No steak or chicken for me, but a good omelette is fine.",
            "I haven't eaten meat or fish since I was a teenager, though dairy's fine.",
        ),
        "vegan": (
            "I haven't touched anything from an animal in years, not even honey.",
            "I eat a fully plant-based diet, so no dairy, eggs or meat.",
            "I read every label to make sure there's no milk, egg or gelatine inside.",
        ),
        "gluten-free": (
            "I'm coeliac, so bread, pasta and beer are all off limits.",
            "A single crumb of wheat or barley makes me properly ill.",
            "I have to ask for special bread and pasta wherever I eat.",
        ),
        "halal": (
            "As a Muslim, I only eat meat that's been slaughtered the right way.",
            "No pork for me, and my butcher has to be properly certified.",
            "I keep to Islamic dietary rules, so no pork and no alcohol.",
        ),
    },
    "budget": {
        "tight": (
            "I'm counting every penny until payday.",
            "I really can't afford to splash out at the moment.",
            "Cheap and cheerful is all I can manage right now.",
        ),
        "moderate": (
            "I don't mind spending a bit, as long as it's reasonable.",
            "Mid-range suits me, nothing flashy but not bargain-bin either.",
            "I can treat myself now and then, but I keep an eye on costs.",
        ),
        "generous": (
            "Money isn't really an issue, so go for the best option.",
            "I'm happy to splurge if it's worth it.",
            "Price doesn't bother me much, I'd rather pay for quality.",
        ),
    },
}

# ---------------------------------------------------------------------------------------------
# Ambiguous hints: each fits two or three values of its slot equally well
# ---------------------------------------------------------------------------------------------

AMBIGUOUS_HINTS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "age": (
        ("I'm young enough that I'm still figuring out my career.", ("18-24", "25-34")),
        ("I'm at that age where a hangover lasts two days.", ("25-34", "35-44")),
        ("I remember when the internet arrived in our house on dial-up.", ("35-44", "45-54")),
        ("My GP keeps telling me to watch my cholesterol these days.", ("45-54", "55-64")),
        ("I've got more free time now that working life is winding down.", ("55-64", "65+")),
    ),
    "gender": (
        ("I just had my hair cut really short and I love it.", ("female", "non-binary")),
        ("I've been growing a beard out for charity this month.", ("male", "non-binary")),
        ("My name could belong to anyone, which confuses people on the phone.",
         ("female", "male", "non-binary")),
    ),
    "interests": (
        ("I spend most weekends outdoors, whatever the weather.", ("hiking", "cycling", "fishing")),
        ("My kitchen is my happy place, especially on a Sunday.", ("cooking", "baking")),
        ("I love quiet hobbies where I can lose track of time.", ("reading", "chess", "painting")),
        ("My phone is full of pictures from my trips abroad.", ("photography", "travel")),
        ("I'm often out in the dark, waiting quietly for something to happen.",
         ("astronomy", "fishing")),
        ("I spend a lot of evenings in front of a screen, competing with friends.",
         ("video games", "chess")),
        ("I've found a slow, mindful hobby that really calms me down.",
         ("gardening", "yoga", "fishing")),
        ("I'm in a club that meets every Tuesday evening for practice and matches.",
         ("football", "chess")),
        ("My evenings usually involve an old record playing while I make something.",
         ("jazz", "painting")),
        ("I always carry something heavy on my back when I head out for the day.",
         ("hiking", "photography")),
    ),
    "education": (
        ("I've got a university degree, if that matters.", ("bachelor's degree", "master's degree", "phd")),
        ("I didn't go to university, I went straight into work.", ("high school", "vocational training")),
        ("I spent a few extra years studying after I left school.",
         ("vocational training", "bachelor's degree")),
        ("I've done a fair bit of postgraduate study.", ("master's degree", "phd")),
    ),
    "personality_traits": (
        ("I'd rather spend my evening tinkering with something on my own.",
         ("introverted", "creative", "practical")),
        ("I'm usually the first to say yes to a new adventure.", ("spontaneous", "extroverted", "curious")),
        ("I like to have a plan B for absolutely everything.", ("anxious", "organised")),
        ("I read the reviews very carefully before I buy anything.", ("sceptical", "anxious", "organised")),
        ("I don't get flustered easily when things drag on.", ("patient", "optimistic")),
        ("I hate losing, but I always think I'll win next time.", ("competitive", "optimistic")),
        ("I like working out my own way of doing things.", ("creative", "practical", "curious")),
        ("I'm not easily swayed, and I take my time before deciding.", ("sceptical", "patient")),
    ),
    "occupation": (
        ("I'm on my feet from morning till evening.", ("nurse", "chef", "teacher")),
        ("I work shifts, including plenty of nights.", ("nurse", "doctor")),
        ("I spend most of my working day staring at a screen.",
         ("software engineer", "accountant", "graphic designer")),
        ("I have to write to strict deadlines most weeks.", ("journalist", "lawyer", "student")),
        ("I work with my hands, often out in all weathers.", ("farmer", "electrician")),
        ("My time is my own these days, there's no boss to answer to.", ("retiree", "shop owner")),
        ("I spend a lot of my day around young people.", ("teacher", "student")),
        ("I deal with members of the public all day, some easier than others.",
         ("shop owner", "lawyer", "doctor")),
        ("My work is creative, and I'm always chasing the next idea.",
         ("graphic designer", "journalist", "chef")),
    ),
    "marital_status": (
        ("I live on my own these days.", ("single", "divorced", "widowed")),
        ("There's someone special in my life.", ("in a relationship", "married")),
        ("I share the house with my other half.", ("married", "in a relationship")),
        ("My evenings have been pretty solitary since things changed a few years ago.",
         ("divorced", "widowed")),
    ),
    "family": (
        ("The school run is part of my daily routine.", ("young children", "teenage children")),
        ("My evenings are my own, with no little ones to look after.", ("no children", "grown-up children")),
        ("I spend a lot of time with my mum and dad.", ("lives with parents", "cares for a parent")),
        ("My weekends revolve around driving family members to appointments.",
         ("cares for a parent", "teenage children")),
    ),
    "location": (
        ("It's quiet round here, and the stars are bright at night.",
         ("countryside", "mountains", "small town")),
        ("I've got a garden and it's a short drive to the shops.", ("suburbs", "small town")),
        ("Tourists flock here every summer and the roads get jammed.", ("by the sea", "mountains")),
        ("Getting anywhere by public transport is easy from where I live.", ("big city", "suburbs")),
    ),
    "other": (
        ("I'm out pounding the pavements twice a day, rain or shine.",
         ("has a dog", "training for a marathon")),
        ("My home has a furry little boss who rules the place.", ("has a dog", "has a cat")),
        ("My sleep schedule is pretty unusual compared to my friends'.", ("night owl", "early riser")),
        ("I'm still getting used to my new daily routine.",
         ("recently moved", "works from home", "recovering from an injury")),
        ("I've been setting aside time every week for a long-term goal.",
         ("learning a language", "saving for a house", "training for a marathon")),
        ("My Saturday mornings are spoken for, and not by my job.", ("volunteers", "training for a marathon")),
        ("I spend a lot of time sitting still, which isn't great for my back.",
         ("long commute", "works from home")),
        ("I'm cutting back on spending for the foreseeable future.", ("saving for a house", "recently moved")),
        ("Stretching exercises have become a big part of my routine.",
         ("recovering from an injury", "training for a marathon")),
    ),
    "verbosity": (
        ("I don't need an essay, but a bit of context helps.", ("brief", "moderate")),
        ("I like a proper explanation when it really matters.", ("moderate", "detailed")),
    ),
    "formality": (
        ("I don't mind how you talk to me, really.", ("casual", "neutral")),
        ("Please keep things respectful and reasonably professional.", ("neutral", "formal")),
    ),
    "emoji": (
        ("I've got no strong feelings about how messages look.", ("no emoji", "likes emoji")),
        ("I text a lot, mostly with family and old friends.", ("no emoji", "likes emoji")),
    ),
    "humour": (
        ("I can take a joke, but I'm mainly here for answers.", ("serious", "playful")),
        ("My mood really depends on the day, to be honest.", ("serious", "playful")),
    ),
    "directness": (
        ("I want some honest feedback on this.", ("direct", "diplomatic")),
        ("I'm open to hearing criticism about my plans.", ("direct", "diplomatic")),
    ),
    "likes": (
        ("I love anything with a real kick to it first thing in the day.", ("coffee", "spicy food")),
        ("My favourite evenings are spent with something on the screen and the lights off.",
         ("horror films", "documentaries")),
        ("I'm happiest when I've got something good to listen to.", ("podcasts", "live music")),
        ("Treating myself to something indulgent is the best way to end the week.",
         ("sweets", "seafood", "online shopping")),
        ("I love a buzzing atmosphere with lots going on.", ("crowds", "live music")),
        ("A rainy Sunday spent learning something new is perfect for me.",
         ("museums", "long reads", "documentaries")),
        ("I'm happiest round a kitchen table with friends and a few hours to kill.",
         ("board games", "coffee")),
        ("I love the part of the day before the rest of the world gets going.",
         ("early mornings", "coffee")),
    ),
    "dislikes": (
        ("Some foods just don't agree with me at all.", ("spicy food", "seafood", "sweets")),
        ("Anything that leaves me jittery and awake at night is a no.", ("coffee", "horror films")),
        ("I can't stand things that drag on for hours.", ("long reads", "podcasts", "board games")),
        ("Noisy, packed places really aren't for me.", ("crowds", "live music")),
        ("I find slow, educational stuff a real chore.", ("museums", "documentaries")),
        ("Getting up at dawn to queue for anything is my idea of misery.", ("early mornings", "crowds")),
        ("Staring at a screen in my spare time is something I avoid.",
         ("online shopping", "documentaries", "horror films")),
        ("I'd rather have silence than someone else's noise in my ears.", ("podcasts", "live music")),
    ),
    "diet": (
        ("There are certain meats I just won't eat.", ("halal", "vegetarian", "vegan")),
        ("I always have to check the ingredients when I eat out.", ("vegan", "gluten-free", "halal")),
        ("Most menus have plenty of options for me.", ("no restrictions", "vegetarian")),
    ),
    "budget": (
        ("I don't want to spend more than I have to.", ("tight", "moderate")),
        ("I can afford something decent if it's worth it.", ("moderate", "generous")),
    ),
}

# ---------------------------------------------------------------------------------------------
# Explicit answers to a direct question
# ---------------------------------------------------------------------------------------------

DIRECT_ANSWERS: dict[str, dict[str, tuple[str, ...]]] = {
    "age": {
        "18-24": ("I'm 21.", "I'm in my early twenties."),
        "25-34": ("I'm 29.", "Early thirties, if you must know."),
        "35-44": ("I'm 38.", "I'm in my late thirties."),
        "45-54": ("I'm 49.", "Late forties, pushing fifty."),
        "55-64": ("I'm 61.", "I'm in my early sixties."),
        "65+": ("I'm 72.", "Well past retirement age, I'm in my seventies."),
    },
    "gender": {
        "female": ("I'm a woman.", "I'm female, for what it's worth."),
        "male": ("I'm a man.", "I'm male, if that helps."),
        "non-binary": ("I'm non-binary.", "I identify as non-binary."),
    },
    "interests": {
        "hiking": ("I'm really into hiking.", "Hiking is my thing, I'm on the trails most weekends."),
        "cooking": ("I love cooking.", "Cooking is my big hobby."),
        "photography": ("I do a lot of photography.", "Photography, mainly, I'm a keen amateur."),
        "video games": ("I play a lot of video games.", "Video games, honestly, they're my main hobby."),
        "gardening": ("I spend my free time gardening.", "Gardening is my big passion."),
        "jazz": ("I'm a huge jazz fan.", "I love listening to jazz."),
        "football": ("I'm a big football fan.", "Football, I both play and watch it."),
        "painting": ("Painting is my hobby.", "I'm into painting, mostly watercolours."),
        "reading": ("I do a lot of reading.", "Reading is my favourite way to spend an evening."),
        "travel": ("I love to travel.", "Travel is what I spend my money and holidays on."),
        "yoga": ("I do yoga most days.", "I'm really into yoga."),
        "chess": ("I play chess a lot.", "Chess is my main hobby."),
        "cycling": ("I do a lot of cycling.", "Cycling, mainly road rides at the weekend."),
        "astronomy": ("I'm into astronomy.", "Astronomy is my hobby, I've got a telescope."),
        "baking": ("I love baking.", "Baking is my favourite hobby."),
        "fishing": ("I go fishing whenever I can.", "Fishing is my hobby."),
    },
    "education": {
        "high school": ("I finished high school and that was it.", "High school is as far as I went."),
        "vocational training": ("I did vocational training instead of university.",
                                "My background is vocational training, a trade qualification."),
        "bachelor's degree": ("I have a bachelor's degree.", "I did a bachelor's degree in economics."),
        "master's degree": ("I have a master's degree.", "I did a master's degree after my undergrad."),
        "phd": ("I have a PhD.", "I did a PhD in chemistry."),
    },
    "personality_traits": {
        "introverted": ("I'm quite introverted.", "I'm an introvert, really."),
        "extroverted": ("I'm very extroverted.", "I'm an extrovert through and through."),
        "curious": ("I'm a very curious person.", "Curious, I'd say. I always want to know more."),
        "anxious": ("I'm quite an anxious person.", "I'd say I'm anxious, I worry a lot."),
        "organised": ("I'm very organised.", "Organised, definitely. I plan everything."),
        "spontaneous": ("I'm pretty spontaneous.", "Spontaneous, I'd say. I hate rigid plans."),
        "patient": ("I'm a very patient person.", "Patient, I think. Not much rattles me."),
        "competitive": ("I'm really competitive.", "Competitive, for sure. I hate losing."),
        "optimistic": ("I'm optimistic by nature.", "Optimistic, I'd say. I look on the bright side."),
        "sceptical": ("I'm naturally sceptical.", "Sceptical, I'd say. I question everything."),
        "creative": ("I'm a creative person.", "Creative, definitely. I'm always making something."),
        "practical": ("I'm a very practical person.", "Practical, I'd say. I like things that work."),
    },
    "occupation": {
        "nurse": ("I'm a nurse.", "I work as a nurse, actually."),
        "software engineer": ("I'm a software engineer.", "I work as a software engineer at a tech company."),
        "teacher": ("I'm a teacher.", "I teach, I'm a secondary school teacher."),
        "student": ("I'm a student.", "I'm still a university student."),
        "chef": ("I'm a chef.", "I work as a chef in a restaurant."),
        "accountant": ("I'm an accountant.", "I work as an accountant."),
        "retiree": ("I'm retired.", "I'm a retiree now, I stopped working a few years back."),
        "farmer": ("I'm a farmer.", "I run a farm, I'm a farmer by trade."),
        "lawyer": ("I'm a lawyer.", "I work as a lawyer at a small firm."),
        "graphic designer": ("I'm a graphic designer.", "I work as a graphic designer."),
        "electrician": ("I'm an electrician.", "I work as an electrician."),
        "journalist": ("I'm a journalist.", "I work as a journalist for a local paper."),
        "doctor": ("I'm a doctor.", "I work as a doctor, a GP actually."),
        "shop owner": ("I'm a shop owner.", "I own a shop, I run it myself."),
    },
    "marital_status": {
        "single": ("I'm single.", "Single, at the moment."),
        "in a relationship": ("I'm in a relationship.", "I'm seeing someone, we've been in a relationship a while now."),
        "married": ("I'm married.", "Yes, I'm married, nine years now."),
        "divorced": ("I'm divorced.", "Divorced, a few years ago now."),
        "widowed": ("I'm widowed.", "Widowed, sadly. I lost my partner a while back."),
    },
    "family": {
        "no children": ("I don't have children.", "No children, no."),
        "young children": ("I've got young children.", "I have two young children, four and six."),
        "teenage children": ("I have teenage children.", "My kids are teenagers now."),
        "grown-up children": ("My children are grown up.", "I have grown-up children who've left home."),
        "lives with parents": ("I live with my parents.", "I still live with my parents, yes."),
        "cares for a parent": ("I care for my elderly mother.", "I'm a carer for one of my parents."),
    },
    "location": {
        "big city": ("I live in a big city.", "Right in the middle of a big city."),
        "suburbs": ("I live in the suburbs.", "Out in the suburbs, a short train ride from town."),
        "small town": ("I live in a small town.", "A small town, not much happens there."),
        "countryside": ("I live in the countryside.", "Out in the countryside, miles from anywhere."),
        "by the sea": ("I live by the sea.", "Right by the sea, on the coast."),
        "mountains": ("I live in the mountains.", "Up in the mountains, in a little village."),
    },
    "other": {
        "has a dog": ("I have a dog.", "I've got a dog, a spaniel called Biscuit."),
        "has a cat": ("I have a cat.", "I've got a cat who runs the house."),
        "recently moved": ("I recently moved house.", "I've just moved to a new place."),
        "learning a language": ("I'm learning a language at the moment.", "I'm learning Spanish right now."),
        "training for a marathon": ("I'm training for a marathon.",
                                    "I've got a marathon coming up, so I'm in training."),
        "night owl": ("I'm a night owl.", "Definitely a night owl, I stay up late."),
        "early riser": ("I'm an early riser.", "I'm up early every day, a real early riser."),
        "volunteers": ("I volunteer regularly.", "I do volunteer work at the weekends."),
        "works from home": ("I work from home.", "Home is my office, I work remotely."),
        "long commute": ("I have a long commute.", "My commute is really long, over an hour each way."),
        "saving for a house": ("I'm saving for a house.", "I'm putting money aside to buy a house."),
        "recovering from an injury": ("I'm recovering from an injury.",
                                      "I'm getting over an injury at the moment."),
    },
    "verbosity": {
        "brief": ("Keep it brief, please.", "I prefer brief answers."),
        "moderate": ("Moderate length is best for me.", "Something in between, a moderate length."),
        "detailed": ("I like detailed answers.", "Detailed, please. I like the full picture."),
    },
    "formality": {
        "casual": ("Casual is fine, I'm not fussy.", "Keep it casual."),
        "neutral": ("A neutral tone is best.", "Just neutral, nothing fancy either way."),
        "formal": ("I prefer a formal tone.", "Formal, please."),
    },
    "emoji": {
        "no emoji": ("No emoji, please.", "I don't use emoji at all."),
        "likes emoji": ("I like emoji.", "I love emoji, use as many as you like."),
    },
    "humour": {
        "serious": ("I prefer a serious tone.", "Serious, please. No jokes."),
        "playful": ("I like it playful.", "Playful is good, a few jokes are welcome."),
    },
    "directness": {
        "direct": ("Be direct with me.", "I prefer direct answers."),
        "diplomatic": ("Be diplomatic, please.", "I prefer a diplomatic approach."),
    },
    "likes": {
        "spicy food": ("I love spicy food.", "Spicy food is my favourite."),
        "sweets": ("I love sweets.", "I've got a real thing for sweets."),
        "seafood": ("I love seafood.", "Seafood is top of my list."),
        "coffee": ("I love coffee.", "Coffee, lots of coffee."),
        "podcasts": ("I love podcasts.", "I listen to podcasts all the time."),
        "documentaries": ("I love documentaries.", "Documentaries are my favourite thing to watch."),
        "horror films": ("I love horror films.", "Horror films, the scarier the better."),
        "crowds": ("I love crowds.", "I enjoy big crowds, the busier the better."),
        "museums": ("I love museums.", "Museums are my favourite day out."),
        "live music": ("I love live music.", "Live music, any chance I get."),
        "long reads": ("I love long reads.", "I enjoy long reads, the longer the article the better."),
        "early mornings": ("I love early mornings.", "Early mornings are my favourite time of day."),
        "board games": ("I love board games.", "Board games are a big favourite of mine."),
        "online shopping": ("I love online shopping.", "Online shopping is my guilty pleasure."),
    },
    "dislikes": {
        "spicy food": ("I don't like spicy food.", "Spicy food really isn't for me."),
        "sweets": ("I don't like sweets.", "Sweets just aren't my thing."),
        "seafood": ("I can't stand seafood.", "Seafood is a no from me."),
        "coffee": ("I hate coffee.", "Coffee, no thanks, never touch it."),
        "podcasts": ("I don't like podcasts.", "Podcasts bore me, honestly."),
        "documentaries": ("I don't like documentaries.", "Documentaries put me to sleep."),
        "horror films": ("I hate horror films.", "Horror films are a no for me."),
        "crowds": ("I hate crowds.", "I can't stand crowds."),
        "museums": ("I don't enjoy museums.", "Museums bore me, to be honest."),
        "live music": ("I don't like live music.", "Live music isn't for me, it's too loud."),
        "long reads": ("I don't like long reads.", "Long reads lose me, I never finish them."),
        "early mornings": ("I hate early mornings.", "Early mornings are the worst."),
        "board games": ("I don't like board games.", "Board games bore me stiff."),
        "online shopping": ("I don't like online shopping.", "Online shopping isn't for me."),
    },
    "diet": {
        "no restrictions": ("I eat everything, no restrictions.", "No dietary restrictions at all."),
        "vegetarian": ("I'm vegetarian.", "Vegetarian, I don't eat meat or fish."),
        "vegan": ("I'm vegan.", "Vegan, so no animal products at all."),
        "gluten-free": ("I eat gluten-free.", "I have to eat gluten-free, I'm coeliac."),
        "halal": ("I eat halal.", "Halal only, please."),
    },
    "budget": {
        "tight": ("My budget is tight.", "Tight, I'm afraid. Money's short at the moment."),
        "moderate": ("My budget is moderate.", "Moderate, nothing extravagant."),
        "generous": ("My budget is generous.", "Generous, money's not a big issue."),
    },
}

# ---------------------------------------------------------------------------------------------
# Recognising direct questions in an assistant reply
# ---------------------------------------------------------------------------------------------

QUESTION_KEYWORDS: dict[str, tuple[str, ...]] = {
    "age": ("how old", "your age", "what age", "year were you born", "which decade"),
    "gender": ("your gender", "your pronouns", "identify as", "man or a woman", "woman or a man"),
    "interests": ("your hobbies", "your hobby", "for fun", "your interests", "free time", "spare time",
                  "what are you into", "pastime"),
    "education": ("your education", "did you study", "your degree", "go to university", "go to college",
                  "highest qualification", "your qualifications", "educational background"),
    "personality_traits": ("your personality", "describe yourself", "kind of person", "introvert",
                           "extrovert", "personality type"),
    "occupation": ("what do you do?", "your job", "for work", "for a living", "your occupation",
                   "your profession", "line of work", "your career", "where do you work"),
    "marital_status": ("are you married", "your partner", "in a relationship", "seeing anyone",
                       "marital status", "relationship status", "are you single", "your spouse"),
    "family": ("have kids", "have children", "any kids", "your family", "your kids", "your children",
               "do you live with", "your parents"),
    "location": ("where do you live", "where are you based", "where you live", "your area",
                 "your neighbourhood", "your neighborhood", "what's it like where", "your town",
                 "your city"),
    "other": ("about your life", "your routine", "your lifestyle", "any pets", "have a pet",
              "tell me more about yourself", "anything else about you", "your commute"),
    "verbosity": ("short or detailed", "how long should", "how much detail", "how detailed",
                  "longer or shorter", "shorter or longer", "brief or", "answer length"),
    "formality": ("formal or", "how formal", "casual or", "what tone", "which tone", "tone do you prefer",
                  "tone would you like"),
    "emoji": ("emoji", "smileys"),
    "humour": ("sense of humour", "sense of humor", "like jokes", "bit of humour", "bit of humor",
               "funny or"),
    "directness": ("how direct", "be blunt", "sugarcoat", "sugar-coat", "gentle or", "straight talk"),
    "likes": ("what do you like", "what do you enjoy", "your favourite", "your favorite", "things you love",
              "what do you love"),
    "dislikes": ("what do you dislike", "don't you like", "anything you hate", "you'd rather avoid",
                 "can't stand", "not a fan of", "what do you hate"),
    "diet": ("dietary", "your diet", "allergies", "allergic", "eat meat", "foods you avoid",
             "food restrictions"),
    "budget": ("your budget", "how much do you want to spend", "how much would you like to spend",
               "price range", "how much can you spend", "afford", "spend on"),
}

# ---------------------------------------------------------------------------------------------
# Refusals, announcements of change, reactions
# ---------------------------------------------------------------------------------------------

DEFLECTIONS: tuple[str, ...] = (
    "I'd rather keep that to myself.",
    "That's a bit personal, if you don't mind.",
    "Let's not get into that, if that's okay.",
    "I'd prefer not to say.",
    "Can we skip that one?",
    "That's private, sorry.",
    "Does that really matter for this? I'd rather not share.",
)

DRIFT_ANNOUNCEMENTS: dict[str, tuple[str, ...]] = {
    "age": (
        "I've just had a birthday that puts me in the {value} bracket now.",
        "Time flies, I'm in the {value} age range these days.",
    ),
    "gender": (
        "Something personal I'd like you to know: I now identify as {value}.",
        "Just so you're aware, please think of me as {value} from here on.",
    ),
    "interests": (
        "I've recently got into {value}.",
        "New hobby alert: {value}. I've been hooked for a few weeks.",
        "Lately I've been spending my free time on {value}.",
    ),
    "education": (
        "Small update: my highest qualification is now {value}.",
        "I've gone back to studying, so education-wise I'm now at the {value} level.",
    ),
    "personality_traits": (
        "Lately I've become a lot more {value} than I used to be.",
        "People keep telling me I've turned quite {value} recently.",
    ),
    "occupation": (
        "Quick update: I've changed careers, my job title is now {value}.",
        "Big change at work, new line of work for me: {value}.",
    ),
    "marital_status": (
        "Some personal news: I'm {value} now.",
        "Things have changed at home, I'm {value} these days.",
    ),
    "family": (
        "Our family situation has changed, the short version is: {value}.",
        "Things at home are different now, the gist is: {value}.",
    ),
    "location": (
        "I've moved house, so where I live now is best described as {value}.",
        "Quick heads-up, I've relocated: think {value} rather than where I was before.",
    ),
    "other": (
        "Something new about me: {value}.",
        "A recent change in my life, if it's useful: {value}.",
    ),
    "verbosity": (
        "I've changed my mind about answer length, {value} suits me better now.",
        "From now on, please keep your replies {value}.",
    ),
    "formality": (
        "Could you switch to a more {value} tone from now on?",
        "I'd prefer a {value} tone going forward, if that's alright.",
    ),
    "emoji": (
        "Change of heart on emojis, put me down as {value} from now on.",
        "New preference about emojis: {value}.",
    ),
    "humour": (
        "I'm in a more {value} mood these days, so adjust accordingly.",
        "Let's keep things {value} from now on, please.",
    ),
    "directness": (
        "I'd rather you were {value} with me from now on.",
        "New preference: be {value} when you answer me.",
    ),
    "likes": (
        "I've recently got really into {value}.",
        "Funny thing, I've started loving {value} lately.",
    ),
    "dislikes": (
        "I've gone right off {value} lately.",
        "These days I can't stand {value} anymore.",
    ),
    "diet": (
        "I've changed how I eat, food-wise put me down as {value} now.",
        "Diet update: {value}, starting this month.",
    ),
    "budget": (
        "Money's changed a bit, my budget is {value} now.",
        "Heads-up, my budget is more {value} these days.",
    ),
}

REACTIONS: dict[str, tuple[str, ...]] = {
    "too_long": (
        "Shorter please, I don't have time for essays.",
        "That's way too long, can you cut it down?",
        "Too much text. Just give me the short version.",
    ),
    "too_short": (
        "Could you give me a bit more detail?",
        "That's a bit thin, can you expand on it?",
        "I need more than that, please elaborate.",
    ),
    "too_formal": (
        "You don't have to be so stiff with me.",
        "Loosen up a bit, this isn't a job interview.",
        "That reads like a legal letter, just talk normally.",
    ),
    "too_casual": (
        "Could you keep it a bit more professional?",
        "That's a little too chummy for my taste.",
        "Please drop the slang, it feels unprofessional.",
    ),
    "unwanted_emoji": (
        "No emojis please.",
        "Could you leave out the little pictures?",
        "Please skip the smiley faces, they're not for me.",
    ),
    "wants_emoji": (
        "Add a few emojis, it feels so flat otherwise!",
        "Where are the emojis? Liven it up a bit!",
        "A smiley or two wouldn't hurt, you know.",
    ),
    "too_jokey": (
        "Please stop joking around, I'm being serious here.",
        "Less comedy, more help, please.",
        "I didn't ask for a stand-up routine.",
    ),
    "too_serious": (
        "Lighten up a little, it's not a funeral.",
        "Bit dry, isn't it? A little humour wouldn't hurt.",
        "You could crack a smile now and then, you know.",
    ),
    "too_blunt": (
        "Ouch, that was a bit harsh.",
        "You could have said that more kindly.",
        "Wow, no need to be quite so blunt.",
    ),
    "too_vague": (
        "That's a bit wishy-washy, what do you actually recommend?",
        "Can you just give me a straight answer?",
        "You're dancing around it, just say what you think.",
    ),
    "disliked_topic": (
        "Ugh, I really can't stand {topic}.",
        "Please leave {topic} out of it, not my thing.",
        "Anything but {topic}, honestly.",
    ),
    "diet_violation": (
        "That doesn't fit my diet, I stick to {diet}.",
        "Remember, I eat {diet}, so that's out for me.",
        "Sorry, that's not {diet}, so I can't have it.",
    ),
    "over_budget": (
        "That's way more than I can spend.",
        "Too pricey for me, is there anything cheaper?",
        "I can't afford that, sorry.",
    ),
    "repetition": (
        "You already told me that.",
        "We've been over this already.",
        "You're repeating yourself.",
    ),
    "flattery": (
        "No need to butter me up.",
        "Skip the compliments and get to the point.",
        "Flattery won't get you anywhere with me.",
    ),
    "off_topic": (
        "That's not really what I asked.",
        "How is that related to my question?",
        "I think we've drifted off topic there.",
    ),
    "satisfied": (
        "Thanks, that's helpful.",
        "Perfect, that's just what I needed.",
        "Great, that works for me.",
    ),
    "neutral": (
        "Hmm, okay.",
        "Right, I see.",
        "Okay, noted.",
    ),
    "quit": (
        "I think I'll leave it here. Bye.",
        "Never mind, I'll figure it out myself. Bye.",
        "Let's stop here, thanks anyway.",
    ),
    "follow_up": (
        "What else would you suggest?",
        "Any other ideas?",
        "Can you tell me a bit more about that?",
    ),
}


def all_phrasings() -> list[str]:
    """Every hint/answer phrasing: specific hints, ambiguous hint sentences and direct answers."""
    out: list[str] = []
    for by_value in SPECIFIC_HINTS.values():
        for phrasings in by_value.values():
            out.extend(phrasings)
    for pairs in AMBIGUOUS_HINTS.values():
        out.extend(sentence for sentence, _ in pairs)
    for by_value in DIRECT_ANSWERS.values():
        for phrasings in by_value.values():
            out.extend(phrasings)
    return out
